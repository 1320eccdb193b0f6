"""The main window: navigation, menus, shared shortcuts, status bar."""

from __future__ import annotations

import logging
import os
import sys
from importlib import metadata

from PySide6.QtCore import QEvent, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from tfviz import __version__
from tfviz.core.device import CHOICES as DEVICE_CHOICES
from tfviz.gui import filedialogs
from tfviz.gui.base import BasePanel
from tfviz.gui.context import AppContext
from tfviz.gui.export import export_widget
from tfviz.gui.focus import FocusKeeper
from tfviz.gui.i18n import LANGUAGES, current_language, set_language, tr
from tfviz.gui.panels import available_panels, panel_class, panel_title
from tfviz.gui.settings import Prefs, save_prefs, write_problem
from tfviz.gui.theme import THEMES, apply_palette, configure_pyqtgraph, make_theme, text_on
from tfviz.panels_registry import shortcut

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """One window: a sidebar of panels, a stack of lazily created panels, menus."""

    def __init__(self, ctx: AppContext, prefs: Prefs, settings: QSettings | None = None,
                 device_choice: str = "auto") -> None:
        super().__init__()
        self.ctx = ctx
        self.prefs = prefs
        self.settings = settings
        self.device_choice = device_choice
        self.panel_names = available_panels()
        ctx.panel_names = list(self.panel_names)
        self.panels: dict[str, BasePanel] = {}
        self._base_font_pt = QApplication.font().pointSizeF()
        self.close_timeout_ms = 30000  # how long closing waits for the jobs (run_gui: less)
        self.stuck_jobs: list = []

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.setFocusPolicy(Qt.NoFocus)
        for name in self.panel_names:
            item = QListWidgetItem()
            item.setData(Qt.UserRole, name)
            item.setSizeHint(QSize(170, 40))
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self._placeholders: dict[str, QWidget] = {}
        for name in self.panel_names:
            holder = QWidget()
            holder.setLayout(QHBoxLayout())
            holder.layout().setContentsMargins(0, 0, 0, 0)
            self._placeholders[name] = holder
            self.stack.addWidget(holder)
        self.nav.currentRowChanged.connect(self._on_nav_row)

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.setAcceptDrops(True)
        # clicks outside text boxes, Escape, Enter in one-line inputs give the step keys back
        self.focus_keeper = FocusKeeper(self, self.stack)

        self.device_label = QLabel()
        self.job_bar = QProgressBar()
        self.job_bar.setRange(0, 0)
        self.job_bar.setMaximumWidth(120)
        self.job_bar.hide()
        self.statusBar().addPermanentWidget(self.job_bar)
        self.statusBar().addPermanentWidget(self.device_label)
        ctx.notice.connect(lambda m: self.statusBar().showMessage(m, 15000))
        ctx.device_changed.connect(lambda _d: self._update_device_label())
        ctx.panel_requested.connect(self.show_panel)
        ctx.jobs.changed.connect(self._update_job_bar)
        ctx.theme_changed.connect(self._style_navigation)
        self._style_navigation()

        self._build_actions()
        self._build_menus()
        self.retranslate()
        self._update_device_label()
        start = prefs.panel if prefs.panel in self.panel_names else (self.panel_names or [""])[0]
        if start:
            self.show_panel(start)
        if prefs.geometry is not None:
            self.restoreGeometry(prefs.geometry)
        else:
            self.resize(1280, 800)
        for w in prefs.warnings:
            ctx.notify(w)
        problem = write_problem(settings) if settings is not None else None
        if problem:
            ctx.notify(tr("MainWindow", "Settings cannot be saved: {problem}. Changes last until tfviz closes.").format(
                problem=problem))

    # panels ---------------------------------------------------------------
    def panel(self, name: str) -> BasePanel:
        """The panel ``name``, created on first use."""
        if name not in self.panels:
            cls = panel_class(name)
            if "pyqtgraph" in sys.modules:
                configure_pyqtgraph(self.ctx.theme)
            panel = cls(self.ctx)
            self._placeholders[name].layout().addWidget(panel)
            self.panels[name] = panel
        return self.panels[name]

    def current_name(self) -> str:
        row = self.nav.currentRow()
        return self.panel_names[row] if 0 <= row < len(self.panel_names) else ""

    def current_panel(self) -> BasePanel | None:
        name = self.current_name()
        return self.panel(name) if name else None

    def show_panel(self, name: str) -> None:
        if name not in self.panel_names:
            raise KeyError(name)
        self.nav.setCurrentRow(self.panel_names.index(name))

    def _on_nav_row(self, row: int) -> None:
        if not 0 <= row < len(self.panel_names):
            return
        name = self.panel_names[row]
        self.panel(name)
        self.stack.setCurrentIndex(row)
        self.prefs.panel = name
        self._update_title()

    # actions and menus ----------------------------------------------------
    def _act(self, slot, shortcut: QKeySequence | str | None = None, checkable=False) -> QAction:
        act = QAction(self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        self.act_open_corpus = self._act(self.open_corpus, QKeySequence.Open)
        self.act_open_dataset = self._act(self.open_dataset, "Ctrl+Shift+O")
        self.act_open_dataset_file = self._act(self.open_dataset_file)
        self.act_export = self._act(self.export_dialog, "Ctrl+E")
        self.act_export_svg = self._act(lambda: self.export_dialog("svg"), "Ctrl+Shift+E")
        self.act_quit = self._act(self.close, QKeySequence.Quit)
        self.act_presenter = self._act(self.toggle_presenter, "F11", checkable=True)
        self.act_guide = self._act(self.show_guide, QKeySequence.HelpContents)
        self.act_about = self._act(self.show_about)
        # the shared stepping keys; text boxes keep them (they accept ShortcutOverride)
        self.act_prev = self._act(lambda: self._on_panel("step", -1), Qt.Key_Left)
        self.act_next = self._act(lambda: self._on_panel("step", 1), Qt.Key_Right)
        self.act_first = self._act(lambda: self._on_panel("go_first"), Qt.Key_Home)
        self.act_last = self._act(lambda: self._on_panel("go_last"), Qt.Key_End)
        self.act_play = self._act(lambda: self._on_panel("toggle_play"), Qt.Key_Space)
        self.panel_actions = []
        for name in self.panel_names:  # Ctrl+1..9 by the place in the registry
            self.panel_actions.append(self._act(lambda _=False, n=name: self.show_panel(n), shortcut(name)))

        self.lang_group = QActionGroup(self)
        self.lang_actions = {}
        for code, label in LANGUAGES.items():
            act = QAction(label, self, checkable=True)
            act.setChecked(code == current_language.value)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.lang_group.addAction(act)
            self.lang_actions[code] = act
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name in THEMES:
            act = QAction(self, checkable=True)
            act.setChecked(name == self.ctx.theme_name)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(act)
            self.theme_actions[name] = act
        self.device_group = QActionGroup(self)
        self.device_actions = {}
        for name in DEVICE_CHOICES:
            act = QAction(self, checkable=True)
            act.setChecked(name == self.device_choice)
            act.triggered.connect(lambda _=False, n=name: self.choose_device(n))
            self.device_group.addAction(act)
            self.device_actions[name] = act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        for act in (self.act_open_corpus, self.act_open_dataset, self.act_open_dataset_file):
            self.menu_file.addAction(act)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_export)
        self.menu_file.addAction(self.act_export_svg)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_view = bar.addMenu("")
        self.menu_lang = self.menu_view.addMenu("")
        for act in self.lang_actions.values():
            self.menu_lang.addAction(act)
        self.menu_theme = self.menu_view.addMenu("")
        for act in self.theme_actions.values():
            self.menu_theme.addAction(act)
        self.menu_device = self.menu_view.addMenu("")
        for act in self.device_actions.values():
            self.menu_device.addAction(act)
        self.menu_view.addAction(self.act_presenter)
        self.menu_go = bar.addMenu("")
        for act in self.panel_actions:
            self.menu_go.addAction(act)
        self.menu_go.addSeparator()
        for act in (self.act_prev, self.act_next, self.act_first, self.act_last, self.act_play):
            self.menu_go.addAction(act)
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_guide)
        self.menu_help.addAction(self.act_about)

    def retranslate(self) -> None:
        self.menu_file.setTitle(tr("MainWindow", "&File"))
        self.menu_view.setTitle(tr("MainWindow", "&View"))
        self.menu_go.setTitle(tr("MainWindow", "&Go"))
        self.menu_help.setTitle(tr("MainWindow", "&Help"))
        self.menu_lang.setTitle(tr("MainWindow", "Language"))
        self.menu_theme.setTitle(tr("MainWindow", "Theme"))
        self.menu_device.setTitle(tr("MainWindow", "Compute device"))
        self.act_open_corpus.setText(tr("MainWindow", "Open corpus…"))
        self.act_open_dataset.setText(tr("MainWindow", "Open dataset folder…"))
        self.act_open_dataset_file.setText(tr("MainWindow", "Open dataset file…"))
        self.act_export.setText(tr("MainWindow", "Export view…"))
        self.act_export_svg.setText(tr("MainWindow", "Export view as SVG…"))
        self.act_quit.setText(tr("MainWindow", "Quit"))
        self.act_presenter.setText(tr("MainWindow", "Presenter mode"))
        self.act_guide.setText(tr("MainWindow", "Guide to this panel"))
        self.act_about.setText(tr("MainWindow", "About tfviz"))
        self.act_prev.setText(tr("MainWindow", "Step back"))
        self.act_next.setText(tr("MainWindow", "Step forward"))
        self.act_first.setText(tr("MainWindow", "First step"))
        self.act_last.setText(tr("MainWindow", "Last step"))
        self.act_play.setText(tr("MainWindow", "Play / pause"))
        self.theme_actions["light"].setText(tr("MainWindow", "Light"))
        self.theme_actions["dark"].setText(tr("MainWindow", "Dark"))
        self.device_actions["auto"].setText(tr("MainWindow", "Automatic (CUDA, then MPS, then CPU)"))
        self.device_actions["cpu"].setText(tr("MainWindow", "CPU"))
        self.device_actions["cuda"].setText(tr("MainWindow", "CUDA GPU"))
        self.device_actions["mps"].setText(tr("MainWindow", "Apple MPS"))
        for i, name in enumerate(self.panel_names):
            title = panel_title(name)
            self.nav.item(i).setText(title)
            self.panel_actions[i].setText(title)
        self._update_title()
        self._update_device_label()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _style_navigation(self) -> None:
        t = self.ctx.theme
        self.nav.setStyleSheet(
            f"QListWidget#navigation {{ background: {t.bg}; border: none; border-right: 1px solid {t.grid};"
            f" font-size: {t.font_pt(11):.0f}pt; padding-top: 8px; }}"
            f"QListWidget#navigation::item {{ padding: 6px 12px; color: {t.fg}; border-radius: 4px; margin: 2px 6px; }}"
            f"QListWidget#navigation::item:selected {{ background: {t.accent}; color: {text_on(t.accent)}; }}"
            f"QListWidget#navigation::item:hover:!selected {{ background: {t.panel_bg}; }}"
        )
        self.nav.setFixedWidth(int(200 * t.scale))

    def _update_title(self) -> None:
        name = self.current_name()
        title = panel_title(name) if name else ""
        self.setWindowTitle(f"tfviz — {title}" if title else "tfviz")

    def _update_device_label(self) -> None:
        self.device_label.setText(tr("MainWindow", "Device: {device}").format(device=self.ctx.device))

    def _update_job_bar(self) -> None:
        self.job_bar.setVisible(bool(self.ctx.jobs.active()))

    def _on_panel(self, method: str, *args) -> None:
        panel = self.current_panel()
        if panel is not None:
            getattr(panel, method)(*args)

    # commands -------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        set_language(lang)
        self.prefs.language = lang
        self.lang_actions[lang].setChecked(True)

    def set_theme(self, name: str) -> None:
        # the palette first, so panels that restyle on theme_changed see the new colours
        apply_palette(QApplication.instance(), make_theme(name, self.ctx.presenter))
        self.ctx.set_theme(name=name)
        self.prefs.theme = name
        self.theme_actions[name].setChecked(True)

    def toggle_presenter(self, on: bool | None = None) -> None:
        on = self.act_presenter.isChecked() if on is None else on
        self.act_presenter.setChecked(on)
        font = QFont(QApplication.font())
        font.setPointSizeF(self._base_font_pt * (1.5 if on else 1.0))
        QApplication.setFont(font)
        self.ctx.set_theme(presenter=on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def choose_device(self, choice: str) -> None:
        from tfviz.core.device import DeviceError, resolve

        try:
            device = resolve(choice)
        except DeviceError as exc:
            QMessageBox.warning(self, tr("MainWindow", "Device not available"), str(exc))
            self.device_actions[self.device_choice].setChecked(True)
            return
        self.device_choice = choice
        self.prefs.device = choice
        self.device_actions[choice].setChecked(True)
        self.ctx.set_device(device)

    def open_corpus(self) -> None:
        path = filedialogs.open_file(self, "corpus", tr("MainWindow", "Open corpus"),
                                     tr("MainWindow", "Text files (*.txt *.md);;All files (*)"))
        if path:
            self.open_in("tokenization", path)

    def open_dataset(self) -> None:
        path = filedialogs.open_folder(self, "dataset", tr("MainWindow", "Open ETH/UCY dataset folder"))
        if path:
            self.open_in("trajectories", path)

    def open_dataset_file(self) -> None:
        path = filedialogs.open_file(self, "dataset-file", tr("MainWindow", "Open ETH/UCY file"),
                                     tr("MainWindow", "Trajectory files (*.txt *.csv *.tsv);;All files (*)"))
        if path:
            self.open_in("trajectories", path)

    def open_in(self, panel_name: str, path: str) -> bool:
        if panel_name not in self.panel_names:
            self.ctx.notify(tr("MainWindow", "This version of tfviz has no panel for that file."))
            return False
        self.show_panel(panel_name)
        return self.panel(panel_name).open_path(path)

    def export_dialog(self, fmt: str = "png") -> None:
        panel = self.current_panel()
        if panel is None:
            return
        filters = (tr("MainWindow", "PNG image (*.png)"), tr("MainWindow", "SVG drawing (*.svg)"))
        chosen = filters[1] if fmt == "svg" else filters[0]
        path, selected = filedialogs.save_file(
            self, "export", tr("MainWindow", "Export view"), f"tfviz-{panel.name}.{fmt}", ";;".join(filters), chosen)
        if not path:
            return
        if not path.lower().endswith((".png", ".svg")):
            path += ".svg" if selected == filters[1] else ".png"
        self.export_current(path)

    def export_current(self, path: str) -> str:
        panel = self.current_panel()
        try:
            out = export_widget(panel.export_target(), path)
        except OSError as exc:
            QMessageBox.warning(self, tr("MainWindow", "Export failed"), str(exc))
            raise
        self.ctx.notify(tr("MainWindow", "Exported to {path}").format(path=str(out)))
        return str(out)

    def show_guide(self) -> None:
        panel = self.current_panel()
        if panel is None:
            return
        box = QMessageBox(self)
        box.setWindowTitle(tr("MainWindow", "Guide: {panel}").format(panel=panel.title()))
        box.setTextFormat(Qt.RichText)
        box.setText(panel.guide_html() or panel.title())
        box.open()
        self._guide_box = box

    def about_text(self) -> str:
        def version(dist: str) -> str:
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                return "—"

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        return tr(
            "MainWindow",
            "<b>tfviz {version}</b><br>See how Transformers work.<br><br>"
            "torch {torch}<br>Qt {qt} (PySide6 {pyside})<br>pyqtgraph {pg}<br>numpy {np}<br>"
            "Compute device: {device}",
        ).format(version=__version__, torch=version("torch"), qt=qVersion(), pyside=pyside_version,
                 pg=version("pyqtgraph"), np=version("numpy"), device=self.ctx.device)

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(tr("MainWindow", "About tfviz"))
        box.setTextFormat(Qt.RichText)
        box.setText(self.about_text())
        box.open()
        self._about_box = box

    # drag and drop ----------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            self.open_dropped(url.toLocalFile())
        event.acceptProposedAction()

    def open_dropped(self, path: str) -> bool:
        """A dropped file goes to the current panel if it takes files; otherwise a folder
        opens as a dataset (trajectories) and a file as a corpus (tokenization)."""
        panel = self.current_panel()
        if panel is not None and panel.open_path(path):
            return True
        target = "trajectories" if os.path.isdir(path) else "tokenization"
        return self.open_in(target, path)

    # life cycle -----------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802
        for panel in self.panels.values():
            panel.shutdown()
        # jobs still running after the wait (a long stretch between two records): see run_gui
        self.stuck_jobs = self.ctx.jobs.close(self.close_timeout_ms)
        if not self.isFullScreen():
            self.prefs.geometry = self.saveGeometry()
        if self.settings is not None:
            save_prefs(self.settings, self.prefs)
        super().closeEvent(event)

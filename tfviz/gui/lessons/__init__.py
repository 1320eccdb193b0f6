"""The lesson player and authoring tools (issue 13).

* :mod:`panel_states` - capture and restore any panel's state (``state()`` / ``restore()``).
* :mod:`code_view` - a code excerpt with its highlighted lines.
* :mod:`pane` - the explanation shown beside the live panel (Markdown, code, Next / Previous).
* :mod:`controller` - plays a lesson: switches panels, restores states, shows highlights.
* :mod:`editor` - the step editor dialog.
The Lessons panel itself (the list of lessons and the authoring buttons) is
:mod:`tfviz.gui.panels.lessons`, registered like every panel.

The file formats are in :mod:`tfviz.core.lessons` and :mod:`tfviz.core.workspace` (no Qt).
"""

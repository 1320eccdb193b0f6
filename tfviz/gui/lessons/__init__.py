"""The lesson player and authoring tools (issue 13).

* :mod:`panel_states` - capture and restore any panel's state (``state()`` / ``restore()``).
* :mod:`code_view` - a code excerpt with its highlighted lines.
* :mod:`pane` - the explanation shown beside the live panel (Markdown, code, Next / Previous).
* :mod:`controller` - plays a lesson: switches panels, restores states, shows highlights.
* :mod:`editor` - the step editor dialog.
* :mod:`library` - the Lessons panel: the list of lessons and the authoring buttons.

The file formats are in :mod:`tfviz.core.lessons` and :mod:`tfviz.core.workspace` (no Qt).
"""

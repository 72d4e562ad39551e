"""考勤 models — this capability is built by its own issue; the app exists so the layout is whole."""

"""年度考核与召回 models — this capability is built by its own issue; the app exists so the layout is whole."""

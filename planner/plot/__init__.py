"""Pictures without Qt: the colours (palette), the night chart drawn on any matplotlib Axes (night) and its drawing process (render)."""

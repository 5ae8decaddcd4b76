"""The submit screen's widgets."""

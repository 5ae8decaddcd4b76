"""The history screen's widgets."""

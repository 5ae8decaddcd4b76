"""The output sets screen's widgets."""

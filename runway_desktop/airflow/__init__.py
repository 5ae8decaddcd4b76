"""Runway Desktop for Apache Airflow: a hook, two operators and a deferrable sensor.

The only package of Runway Desktop that imports Airflow (install the ``airflow`` extra). All of
it is built on the core: ``core.session`` for the connection, the batch runner and the
submission pipeline for sending, ``core.output_sets`` for waiting and the download queue's
watch poll for downloading; ``runtime`` holds that glue without Airflow.
"""

from runway_desktop.airflow.hooks import RunwayHook
from runway_desktop.airflow.operators import RunwayDownloadOperator, RunwaySubmitOperator
from runway_desktop.airflow.sensors import RunwayOutputSetSensor
from runway_desktop.airflow.triggers import RunwayOutputSetTrigger

__all__ = [
    "RunwayDownloadOperator",
    "RunwayHook",
    "RunwayOutputSetSensor",
    "RunwayOutputSetTrigger",
    "RunwaySubmitOperator",
]

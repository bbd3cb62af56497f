"""A local stand-in for the ICS2 trader interface, to rehearse conformance tests offline.

``Simulator`` is the AS4 side (verify, receipt or ebMS errors, queue answers for pull or push);
the business answers come from ``ensgate.answers.SimulatedCustoms``. ``run_simulator`` serves
it with uvicorn on HTTPS with two-way TLS (``ensgate simulate``).
"""

from ._core import Filed, Simulator, eori_of
from ._push import AnswerPusher
from ._run import SimulatorConfig, build_simulator, run_simulator

__all__ = [
    "AnswerPusher",
    "Filed",
    "Simulator",
    "SimulatorConfig",
    "build_simulator",
    "eori_of",
    "run_simulator",
]

"""SIMCom A7670 / A7672 (A76xx): SIM7600's CIPOPEN and CCH sets; it boots
with *ATREADY: 1 and names itself differently."""

from .sim7600 import SIM7600


class A7670(SIM7600):
    name = "a7670"
    banner = b"*ATREADY: 1"
    boot_codes = (b"*ATREADY: 1", b"+CPIN: READY", b"SMS DONE", b"PB DONE")
    settings = dict(SIM7600.settings, **{"+CTCPKA": ("0,7200,75,9", None)})  # TCP keep-alive
    answers = dict(
        SIM7600.answers,
        **{
            "I": ("Manufacturer: INCORPORATED", "Model: A7670E-LASE", "Revision: A7670M7_V1.11.1",
                  "IMEI: 867962040000002", "+GCAP: +CGSM,+FCLASS,+DS"),
            "+CGMR": "+CGMR: A011B07A7670M7",
            "+GMR": "+GMR: A011B07A7670M7",
            "+CGMM": "A7670E-LASE",
            "+CGMI": "INCORPORATED",
        }
    )

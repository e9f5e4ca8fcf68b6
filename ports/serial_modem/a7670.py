"""SIMCom A7670 / A7672 (A76xx, LTE Cat-1): SIM7600's command set.

Plain TCP is the CIPOPEN set with pull reads, TLS the CCH set verified
through AT+CSSLCFG (authmode, cacert, enableSNI) with the CA uploaded by
AT+CCERTDOWN, as on SIM7600 (A76XX Series AT Command Manual V1.09, TCP/IP
and SSL application notes). What differs is the boot report: an A76xx
prints *ATREADY: 1 where a SIM7600 prints RDY.
"""

from .sim7600 import SIM7600


class A7670(SIM7600):
    name = "a7670"
    banners = (b"*ATREADY: 1",)

"""DipSample: dip-sample audits of children's social care case records.

Knowledge flows one way: ``views`` -> ``services`` -> ``store``. Nothing under
``services`` or ``store`` imports Qt, so every rule can be tested and scripted
without a screen.
"""

__version__ = "0.1.0"

"""The council's people in DipSample: its users (auditors, QA, managers), their service
areas, and how a person names them on the command line (names, short ids)."""

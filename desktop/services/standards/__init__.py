"""Practice standards: the configurable rules, their versions, the engine and roll-ups."""

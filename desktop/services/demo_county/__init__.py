"""A synthetic local authority to try DipSample on: ``build_demo_county``."""

from desktop.services.demo_county.build import (
    MAX_CASES,
    DemoSummary,
    build_demo_county,
    existing_cases,
)

__all__ = ["MAX_CASES", "DemoSummary", "build_demo_county", "existing_cases"]

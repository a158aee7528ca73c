"""Settings section "arcsecond": which Arcsecond observatory the night logs go to (the
Arcsecond dock; a subdomain or portal id, '' for the personal account)."""

from __future__ import annotations

from planner.config.section import Section, Setting, text

ARCSECOND = Section("arcsecond", "Arcsecond", (
    Setting("arcsecond_observatory", "", label="Arcsecond observatory", check=text),
), shown_in="arcsecond dock")

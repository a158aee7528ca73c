"""The Settings dialog's pages, one module each, registered once in ``PAGES`` (tab order).

Each page is a ``planner.ui.settings.page.SettingsPage``: built as ``Page(settings)``, it
shows its part of the settings, marks its own bad fields in ``errors()`` and returns the
settings with its values from ``apply(settings)``; what lives outside the settings file
(the keys) is stored in ``after_save``. The dialog (``planner.ui.settings.dialog``) makes a
tab of each, checks every page whenever one changes, and on OK applies them in this order,
saves, and calls ``after_save``.

A new page: a module here with its ``SettingsPage`` subclass (``KEY``, ``TITLE``, the widgets,
``errors``, ``apply``) and one entry in ``PAGES``; its tests build ``SettingsDialog`` and reach
the page as ``dialog.page(KEY)``. Pages that need each other are wired in
``SettingsDialog._wire_pages`` (the connection test reads the addresses typed on the
advanced page; the horizon picture follows the altitude limit typed on the site page).
"""

from __future__ import annotations

from planner.ui.settings.advanced import AdvancedPage
from planner.ui.settings.events import EventsPage
from planner.ui.settings.exports import ExportsPage
from planner.ui.settings.page import SettingsPage
from planner.ui.settings.services import ServicesPage
from planner.ui.settings.site import SitePage
from planner.ui.settings.sky import SkyPage
from planner.ui.settings.telescope import TelescopePage

PAGES: tuple[type[SettingsPage], ...] = (SitePage, TelescopePage, ExportsPage, SkyPage, EventsPage, ServicesPage,
                                          AdvancedPage)

__all__ = ["PAGES", "SettingsPage"]

"""The Arcsecond client (the package's docstring, ``planner.services.arcsecond``, says how
the API is spoken)."""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, Callable, Iterable

from planner.services.arcsecond.checks import (
    check_upload_files,
    _pk,
    service_base_url,
    validate_uuid,
)
from planner.services.arcsecond.records import (
    DataFile,
    DataPackage,
    Dataset,
    _iso_date,
    NightLog,
    ObservingSite,
    parse_datafile,
    parse_datapackage,
    parse_dataset,
    parse_nightlog,
    parse_site,
    parse_telescope,
    _results,
    Telescope,
    UploadReport,
)
from planner.services.arcsecond.service import (
    AUTH_HEADER,
    MAX_LIST_PAGES,
    SERVICE,
    UPLOAD_TIMEOUT,
    ProgressCallback,
    _invalid,
)
from planner.services.arcsecond.upload import MultipartFileBody
from planner.services.client import ServiceClient, origin_words
from planner.services.errors import BadResponseError, ServiceError
from planner.services.origin import FetchedList, Origin, with_origin


# --------------------------------------------------------------------------- client


def make_policy():
    return SERVICE.policy()


class ArcsecondClient(ServiceClient):
    """One Arcsecond server (cloud observatory or Arcsecond.local) and the user's keys."""

    SERVICE = SERVICE

    def __init__(
        self,
        api_key: str | None = None,
        upload_key: str | None = None,
        base_url: str | None = None,
        session=None,
        *,
        observatory: str | None = None,
    ):
        self._api_key = self._keep_secret(api_key)
        self._upload_key = self._keep_secret(upload_key)
        self.base_url = service_base_url(base_url or SERVICE.default_url, observatory)
        self.session = self._make_session(self.base_url, session)

    @classmethod
    def settings_options(cls, settings) -> dict[str, Any]:
        return {"observatory": getattr(settings, "arcsecond_observatory", "") or None}

    def check_connection(self) -> str:
        sites = self.sites()
        return f"OK: Arcsecond lists {len(sites)} observing site{'s' if len(sites) != 1 else ''} for your key{origin_words(sites)}"

    # -- plumbing

    def _headers(self, *, upload: bool = False) -> dict[str, str]:
        """The auth header. As Arcsecond's own client does, either key serves any call; the
        upload key goes first for uploads (and the listing that resumes them), the API key
        first for everything else."""
        first, second = (self._upload_key, self._api_key) if upload else (self._api_key, self._upload_key)
        key = first or second
        if not key:
            raise self._no_key("no API key or upload key is set")
        return {AUTH_HEADER: f"Key {key}"}

    def _get(self, path: str, *, params=None, cache: bool = True, upload: bool = False):
        return self.session.get(self._url(path), params=params, headers=self._headers(upload=upload), cache=cache, expect="json")

    def _url(self, path: str) -> str:
        """Every path under this client's base (cloud subdomain or ``/local``), whatever base
        an injected session was made with."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def _one(self, path: str, parse):
        """One record, marked with where its answer came from."""
        reply = self._get(path)
        return with_origin(parse(reply.data), reply)

    def _list(
        self, path: str, parse, *, params=None, cache: bool = True, all_pages: bool = False, upload: bool = False
    ) -> list:
        reply = self._get(path, params=params, cache=cache, upload=upload)
        replies = [reply]
        results, next_url = _results(reply.data)
        items = [parse(item) for item in results]
        pages = 1
        while all_pages and next_url and pages < MAX_LIST_PAGES:
            reply = self.session.get(
                self._same_server(next_url), headers=self._headers(upload=upload), cache=cache, expect="json"
            )
            replies.append(reply)
            results, next_url = _results(reply.data)
            items.extend(parse(item) for item in results)
            pages += 1
        return FetchedList(items, Origin.combine(replies))

    def _same_server(self, url: str) -> str:
        """A "next" link moved onto the configured server: the key is only ever sent there
        (servers behind proxies also tend to name themselves wrongly in these links)."""
        base = urllib.parse.urlsplit(self.base_url)
        link = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    # -- resources

    def sites(self) -> FetchedList:
        return self._list("observingsites/", parse_site)

    def site(self, site_uuid: str) -> ObservingSite:
        return self._one(f"observingsites/{validate_uuid(site_uuid, 'observing-site id')}/", parse_site)

    def telescopes(self) -> FetchedList:
        return self._list("telescopes/", parse_telescope)

    def telescope(self, telescope_uuid: str) -> Telescope:
        return self._one(f"telescopes/{validate_uuid(telescope_uuid, 'telescope id')}/", parse_telescope)

    def nightlogs(self, *, date: str | None = None, fresh: bool = False) -> FetchedList:
        """Night logs, optionally of one date (``YYYY-MM-DD``); ``fresh`` skips the cache, as a
        writer must: a list cached minutes ago does not hold the log created since."""
        params = {"date": _iso_date(date)} if date is not None else None
        return self._list("nightlogs/", parse_nightlog, params=params, cache=not fresh)

    def create_nightlog(
        self, date: str, *, observing_site: str | None = None, telescope: str | None = None
    ) -> NightLog:
        payload: dict[str, Any] = {"date": _iso_date(date)}
        if observing_site is not None:
            payload["observing_site"] = validate_uuid(observing_site, "observing-site id")
        if telescope is not None:
            payload["telescope"] = validate_uuid(telescope, "telescope id")
        reply = self.session.post(self._url("nightlogs/"), json=payload, headers=self._headers(), expect="json")
        return parse_nightlog(reply.data)

    def update_nightlog(self, nightlog_uuid: str, **fields: Any) -> NightLog:
        """PATCH a night log, e.g. ``notes=...``."""
        return parse_nightlog(self._patch("nightlogs", validate_uuid(nightlog_uuid, "night-log id"), fields))

    def nightlog(self, nightlog_uuid: str) -> NightLog:
        return self._one(f"nightlogs/{validate_uuid(nightlog_uuid, 'night-log id')}/", parse_nightlog)

    def datapackages(self) -> FetchedList:
        return self._list("datapackages/", parse_datapackage)

    def datapackage(self, package_uuid: str) -> DataPackage:
        return self._one(f"datapackages/{validate_uuid(package_uuid, 'data-package id')}/", parse_datapackage)

    def update_datapackage(self, package_uuid: str, **fields: Any) -> DataPackage:
        """PATCH a data package (the API's one documented partial update), e.g. ``name=...``."""
        return parse_datapackage(self._patch("datapackages", validate_uuid(package_uuid, "data-package id"), fields))

    def _patch(self, collection: str, uuid: str, fields: dict[str, Any]) -> Any:
        bad = [k for k, v in fields.items() if not isinstance(v, (str, int, float, bool)) and v is not None]
        if not fields or bad:
            raise _invalid(
                "nothing to update" if not fields else f"{', '.join(bad)} must be plain values",
                "give the fields to change as text, numbers or booleans",
            )
        reply = self.session.request(
            "PATCH", self._url(f"{collection}/{uuid}/"), json=dict(fields), headers=self._headers(), cache=False, expect="json"
        )
        return reply.data

    def datasets(self) -> FetchedList:
        return self._list("datasets/", parse_dataset)

    def dataset(self, dataset_uuid: str) -> Dataset:
        return self._one(f"datasets/{validate_uuid(dataset_uuid, 'dataset id')}/", parse_dataset)

    def create_dataset(self, name: str, *, telescope: str | None = None) -> Dataset:
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise _invalid("a dataset needs a name of 1 to 200 characters", "give the dataset a short name")
        payload: dict[str, Any] = {"name": name}
        if telescope is not None:
            payload["telescope"] = validate_uuid(telescope, "telescope id")
        reply = self.session.post(self._url("datasets/"), json=payload, headers=self._headers(), expect="json")
        return parse_dataset(reply.data)

    def datafiles(self, dataset_uuid: str, *, fresh: bool = False, upload: bool = False) -> FetchedList:
        """Every file in a dataset (all pages: this is the user's own data, not a search);
        ``upload`` asks with the upload key first, as the upload it prepares will."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        return self._list(
            "datafiles/", parse_datafile, params={"dataset": dataset_uuid}, cache=not fresh, all_pages=True, upload=upload
        )

    def datafile(self, pk: int | str) -> DataFile:
        return self._one(f"datafiles/{_pk(pk)}/", parse_datafile)

    # -- uploads

    def upload_file(
        self, dataset_uuid: str, path: str | os.PathLike, progress: ProgressCallback | None = None
    ) -> DataFile | None:
        """Send one FITS/XISF file to a dataset; ``progress(sent, total)`` follows the bytes."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        (path,) = check_upload_files([path])
        headers = self._headers(upload=True)
        body = MultipartFileBody(path, {"dataset": dataset_uuid}, progress)
        try:
            headers["Content-Type"] = body.content_type
            reply = self.session.post(
                self._url("datafiles/"), data=body, headers=headers, expect="json", timeout=UPLOAD_TIMEOUT
            )
        finally:
            body.close()
        if progress is not None:
            progress(body.file_size, body.file_size)
        try:
            return parse_datafile(reply.data)
        except BadResponseError:
            return None  # the file is there; a terse answer is not a failed upload

    def upload_files(
        self,
        dataset_uuid: str,
        paths: Iterable[str | os.PathLike],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> UploadReport:
        """Upload the files the dataset does not hold yet (same name and size), stopping at the
        first failure; running it again later sends only the rest."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        files = check_upload_files(paths)
        present = {(f.name, f.size) for f in self.datafiles(dataset_uuid, fresh=True, upload=True)}
        present_names = {name for name, size in present if size is None}
        report = UploadReport(dataset=dataset_uuid)
        for index, path in enumerate(files):
            size = path.stat().st_size
            if (path.name, size) in present or path.name in present_names:
                report.skipped.append(str(path))
                continue
            callback = (lambda sent, total, _name=path.name: progress(_name, sent, total)) if progress else None
            try:
                self.upload_file(dataset_uuid, path, callback)
            except ServiceError as exc:
                report.failed.append((str(path), str(exc)))
                report.remaining.extend(str(p) for p in files[index + 1 :])
                break
            except OSError as exc:
                report.failed.append((str(path), f"cannot read the file ({exc.strerror or exc})"))
                report.remaining.extend(str(p) for p in files[index + 1 :])
                break
            report.uploaded.append(str(path))
        return report

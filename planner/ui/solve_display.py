"""What the plate-solving dock shows: the stage line (uploading -> queued -> solving ->
solved, with the elapsed time), the submission and job ids (linked to the service's status
page), and the result: the calibration, the image with the annotations drawn on it, the
objects in the field and the verdict for the target the solve was submitted for. A mixin of
``planner.ui.solver_panel.PlateSolveDock``, which builds the widgets and runs the solve.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from planner.app.solve import target_verdict
from planner.ui.solve_job import SolveResult, annotate

STAGES = ("uploading", "queued", "solving", "solved")


class SolveDisplay:
    """The dock's labels, image and verdict kept up to date (mixed into PlateSolveDock)."""

    def _message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(("⚠ " + text) if error and text else text)
        self.message_label.setProperty("error", error)

    def _tick(self) -> None:
        self._elapsed = time.monotonic() - self._started if self._started else 0.0
        self._show_stage(self._stage)

    _stage: str | None = None
    _elapsed: float = 0.0

    def _show_stage(self, stage: str | None) -> None:
        self._stage = stage
        if stage is None:
            self.stage_label.setText("")
            return
        parts = []
        for name in STAGES:
            shown = name
            if stage in ("failed", "cancelled") and name == "solved":
                shown = stage
            text = shown.capitalize()
            parts.append(f"<b>[{text}]</b>" if shown == stage else text)
        elapsed = f" &nbsp; {self._elapsed:.0f} s" if self._started else ""
        self.stage_label.setText(" → ".join(parts) + elapsed)

    def _show_ids(self) -> None:
        subid, job = self._entry.get("subid"), self._entry.get("job_id")
        if subid is None:
            self.ids_label.setText("")
            return
        text = f"Submission {subid}"
        try:
            from planner.services.registry import base_url  # every client module: not at start-up

            base = base_url("astrometry", self.settings)
        except Exception:  # noqa: BLE001 - a settings object without URLs: ids without a link
            base = ""
        if base:
            site = base[: -len("/api")] if base.endswith("/api") else base
            text = f'<a href="{site}/status/{int(subid)}">Submission {subid}</a>'
        if job is not None:
            text += f" · Job {job}"
        self.ids_label.setText(text)

    def _clear_result(self) -> None:
        self.verdict_label.setText("")
        self.calibration_label.setText("")
        self.image_label.setPixmap(QPixmap())
        self.image_label.setText("")
        self.objects_list.clear()
        self.annotated: QPixmap | None = None

    def _show_result(self, result: SolveResult) -> None:
        cal = result.calibration
        parity = "flipped (negative)" if cal.parity < 0 else "normal (positive)"
        self.calibration_label.setText(
            f"Centre RA {cal.ra:.5f}°  Dec {cal.dec:+.5f}°\n"
            f"Pixel scale {cal.pixscale:.4f}\"/px · orientation {cal.orientation:.2f}° E of N\n"
            f"Field radius {cal.radius:.4f}° · parity {parity}"
            + (f"\nImage {result.width} × {result.height} px" if result.width else "")
        )
        self.objects_list.clear()
        self.objects_list.addItems(list(result.objects) or ["(none listed)"])
        if result.notes:
            self._message("Solved. " + "; ".join(result.notes))
        else:
            self._message("Solved.")
        self._update_verdict()

    def _update_verdict(self) -> None:
        result = self.result
        if result is None:
            return
        target = self.solved_for
        self.verdict = None
        if target is None:
            self.verdict_label.setText("Solved with no target selected: select a target to see whether it is in this field.")
        else:
            self.verdict = target_verdict(result.calibration, target["ra"], target["dec"], name=target["name"],
                                   width_px=result.width, height_px=result.height, wcs_header=result.wcs_header)
            mark = "✔ " if self.verdict.inside else "✘ "
            self.verdict_label.setText(f"{mark}Solved for {target['name'] or 'the target'}: {self.verdict.describe()}")
        if result.image is not None:
            self.annotated = annotate(result.image, result.annotations, result.image_scale, self.verdict,
                                      target["name"] if target is not None else "")
            self._fit_image()
        else:
            self.annotated = None
            self.image_label.setText("(no image to draw on)")

    def _fit_image(self) -> None:
        if getattr(self, "annotated", None) is None:
            return
        width = max(self._scroll.viewport().width() - 16, 200)
        pixmap = self.annotated.scaledToWidth(min(width, self.annotated.width() * 2), Qt.TransformationMode.SmoothTransformation)
        self.image_label.setPixmap(pixmap)
        self.image_label.setMinimumHeight(pixmap.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_image()

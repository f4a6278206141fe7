"""Cancel takes effect at once, also for work that cannot stop midway (a text import): the
window is free again and the late answer never replaces the open network."""
from __future__ import annotations

from app.workers import running_job_count


def test_esc_during_a_csv_import_cancels_it_and_the_late_result_is_dropped(qtbot, open_app_window, tmp_path):
    path = tmp_path / "many.csv"
    rows = "".join(f"l{i},16,16,8,8,3,3\n" for i in range(30_000))
    path.write_text("name,in_h,in_w,in_c,out_c,k_h,k_w\n" + rows)
    w = open_app_window("vgg13-paper")
    before = w.layer_model.layers()
    importer = w.project.importer
    with qtbot.waitSignal(importer.finished, timeout=2000) as ended:
        w.project.import_file(str(path))
        assert importer.slot.busy and w.commands["cancel"].isEnabled()
        w.commands["cancel"].trigger()  # Esc
        # At once, before the parse ends: the slot is free and says so.
        assert not importer.slot.busy and not w.commands["cancel"].isEnabled()
        assert running_job_count() >= 1  # the parse itself still runs
    assert ended.args == [False]
    qtbot.waitUntil(lambda: running_job_count() == 0, timeout=60000)  # the parse runs out in the background
    qtbot.wait(50)
    assert w.layer_model.layers() == before  # its answer was dropped
    assert "cancelled" in w.statusBar().currentMessage().lower()


def _slow_job(gate):
    def run(request, progress=None, should_stop=None):
        gate.wait(10)  # work that never checks its stop flag
        return None
    return run


def test_esc_cancels_a_design_space_job_and_a_crossbar_export(qtbot, open_app_window):
    import threading

    w = open_app_window("vgg13-paper")
    qtbot.waitUntil(lambda: w.mapping.result is not None and not w.design.slot.busy, timeout=20000)
    view = w.central.crossbar
    for slot in (w.design.slot, view.exports.slot):
        gate = threading.Event()
        slot.fn = _slow_job(gate)
        slot.start(object())
        assert slot.busy and w.commands["cancel"].isEnabled()
        with qtbot.waitSignal(slot.cancelled, timeout=1000):
            w.commands["cancel"].trigger()  # Esc
        assert not slot.busy and not w.commands["cancel"].isEnabled()
        gate.set()
        qtbot.waitUntil(lambda: running_job_count() == 0, timeout=10000)

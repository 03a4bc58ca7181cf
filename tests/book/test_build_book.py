"""The book build's cache invalidation (scripts/build_book.py): never stale, never wasteful."""

from scripts.build_book import invalidate_if_stale


def fill_cache(build):
    (build / ".jupyter_cache").mkdir(parents=True, exist_ok=True)
    (build / ".jupyter_cache" / "executed.ipynb").write_text("{}")


def test_a_change_of_code_clears_the_cache_and_rereads_every_page(tmp_path):
    assert invalidate_if_stale(tmp_path, "code v1")          # first build: read every page
    fill_cache(tmp_path)
    (tmp_path / ".lib-fingerprint").write_text("code v1")    # ... and it succeeded
    assert not invalidate_if_stale(tmp_path, "code v1")
    assert (tmp_path / ".jupyter_cache" / "executed.ipynb").exists()
    assert invalidate_if_stale(tmp_path, "code v2")
    assert not (tmp_path / ".jupyter_cache").exists()


def test_a_failed_build_keeps_what_it_executed_with_the_same_code(tmp_path):
    assert invalidate_if_stale(tmp_path, "code v1")
    fill_cache(tmp_path)                                     # the build failed: no .lib-fingerprint
    assert invalidate_if_stale(tmp_path, "code v1"), "pages are read again until a good build"
    assert (tmp_path / ".jupyter_cache" / "executed.ipynb").exists(), "executed notebooks are kept"

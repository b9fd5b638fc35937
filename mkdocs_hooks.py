"""MkDocs hook: the course notebooks render in every language.

mkdocs-static-i18n rebuilds every file after the other plugins have seen them (its on_files runs
last), which drops mkdocs-jupyter's notebook wrapper, so the notebooks would be copied as raw
JSON (ultrabug/mkdocs-static-i18n#198). This hook runs after i18n and wraps them again. Each
keeps the destination i18n gave it (``ja/course/...`` for Japanese), except a chapter that has
no Japanese notebook yet: i18n falls back to the English file as it does for an image, at the
English address, where the Japanese build would overwrite the English page; it goes under
``ja/`` instead, as i18n does for a Markdown page. Each notebook also gets its twin in the
other language for the language switcher (i18n pairs only Markdown pages).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile


@event_priority(-200)  # after mkdocs-static-i18n's on_files (-100)
def on_files(files: Files, config) -> Files:
    jupyter, i18n = config.plugins.get("mkdocs-jupyter"), config.plugins.get("i18n")
    if jupyter is None:
        return files
    notebooks = [f for f in files if f.src_uri.endswith(".ipynb") and not isinstance(f, NotebookFile)]
    for file in [f for f in notebooks if jupyter.should_include(f)]:
        wrapped = NotebookFile(file, config.use_directory_urls, config.site_dir)
        dest, url = file.dest_path, file.url
        if i18n is not None:
            here, default = i18n.current_language, i18n.default_language
            if here != default and not dest.startswith(f"{here}/"):  # the English notebook, standing in
                dest, url = f"{here}/{dest}", f"{here}/{url}"
            base = url.removeprefix(f"{here}/") if here != default else url
            if hasattr(file, "alternates"):
                for lang in i18n.build_languages:
                    file.alternates[lang] = SimpleNamespace(url=base if lang == default else f"{lang}/{base}")
        wrapped.dest_path, wrapped.url = dest, url
        wrapped.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, dest))
        files.remove(file)
        files.append(wrapped)
    return files

#!/bin/sh
# Turns nbgrader's instructor tools off in the Python environment that runs $JUPYTER (default:
# the `jupyter` on PATH): the formgrader, the "create assignment" toolbar and the course list, in
# JupyterLab and on the server. Students keep the assignment list (fetch, submit, feedback) and
# the validate button. The Nbgrader menu and JupyterLab's news pop-up go too (the same list as the
# course repository's jupyter-config/learner). Run by `make start`, `make test` and Binder's postBuild.
set -e
JUPYTER="${JUPYTER:-jupyter}"
PLUGINS="@jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list
  @jupyter/nbgrader:menu @jupyterlab/apputils-extension:announcements"
"$JUPYTER" labextension disable --level=sys_prefix $PLUGINS
"$JUPYTER" labextension lock --level=sys_prefix $PLUGINS  # so that they cannot be switched back on in the UI
for extension in formgrader course_list; do
  "$JUPYTER" server extension disable --sys-prefix "nbgrader.server_extensions.$extension"
done

#!/bin/sh
# Turns nbgrader's instructor tools off in the Python environment that runs $JUPYTER (default:
# the `jupyter` on PATH): the formgrader, the "create assignment" toolbar and the course list, in
# JupyterLab and on the server. Students keep the assignment list (fetch, submit, feedback) and
# the validate button, answered by the course's table (course_utils.grading.lab_validate, the same
# as `course validate`) in place of nbgrader's dump of failing cells. The Nbgrader menu and JupyterLab's news pop-up go too (the same list as the
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
"$JUPYTER" server extension disable --sys-prefix nbgrader.server_extensions.validate_assignment
# `jupyter server extension enable` accepts only extensions some config already names, so write it:
PREFIX="$("$(dirname "$(command -v "$JUPYTER")")/python" -c 'import sys; print(sys.prefix)')"
mkdir -p "$PREFIX/etc/jupyter/jupyter_server_config.d"
printf '%s\n' '{"ServerApp": {"jpserver_extensions": {"course_utils.grading.lab_validate": true}}}' \
  > "$PREFIX/etc/jupyter/jupyter_server_config.d/course_utils.grading.lab_validate.json"

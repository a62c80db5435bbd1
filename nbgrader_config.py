"""nbgrader configuration for the course: sources in solutions/, student notebooks in lessons/,
everything produced by grading under the git-ignored grading/ folder."""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

course_root = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = course_root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.solution_directory = "grading/released_solutions"
os.makedirs(os.path.join(course_root, "grading"), exist_ok=True)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(course_root, "grading", "gradebook.db")
c.CourseDirectory.course_id = "embeddings-course"

# Graded classes: the semester seed. Hidden tests draw their random inputs from it (checks.hidden_seed),
# so outputs learnt from the public repository's hidden tests are no help. Pick a secret, keep it (and
# this file) private, and keep it all semester: regrading then sees the same inputs. nbgrader runs this
# file in its own process, so the kernels it starts for grading inherit the variable; setting
# COURSE_SEMESTER_SEED in the graders' environment instead works too. Unset: the public inputs.
# os.environ.setdefault("COURSE_SEMESTER_SEED", "choose-a-secret")

# Students work in fast mode only when they choose to; grading always runs fast (NBGRADER_EXECUTION is set).
# The stub a learner replaces; running a test cell before answering shows its message, not a bare traceback.
c.ClearSolutions.code_stub = {"python": '# YOUR CODE HERE\nraise NotImplementedError("not answered yet: replace this line with your '
                                        'code, run this cell, then run the test cell below")'}

# Every cell, answers included, must finish within this many seconds; a stuck cell is interrupted,
# marked as failed, and grading continues with the next cell.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# After a cell finishes, wait this long for its last outputs. nbclient's default (4 s) is too short on a
# loaded machine (e.g. `course grade --jobs N`): a late output then fails the whole notebook.
c.Execute.iopub_timeout = 30
c.ExecutePreprocessor.kernel_name = "python3"
c.Execute.kernel_name = "python3"

# Restore locked cells (test cells included) from the released version before grading.
c.OverwriteCells.enabled = True

# While grading, wrap every test cell in the integrity guard (course_utils.grading.guard): a test whose
# checks, numpy, builtins or error reporting were tampered with fails, and a test that stopped
# without reporting an error earns nothing. nbgrader's own steps are kept, in nbgrader's order.
c.Autograde.autograde_preprocessors = [
    "course_utils.grading.gradeguard.InjectGuard",
    "nbgrader.preprocessors.Execute",
    "course_utils.grading.gradeguard.RequireGuardMarker",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

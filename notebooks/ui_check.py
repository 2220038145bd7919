"""The learner's path in a real browser: JupyterLab in headless Chromium, on the learner's copies of the
notebooks (make lab's notebooks/my-*.ipynb; the tracked notebooks are never opened).

1. my-solutions.ipynb: runs every cell down to the first training cell, then that cell; takes a
   screenshot while it trains, once the live panel shows its first curves (out/ui/training.png), and one
   after the run finished (out/ui/trained.png).
2. my-exercises.ipynb: writes a wrong answer to exercise 1 (a kept-dims mean), runs its check and takes a
   screenshot of the failure's reason (out/ui/exercise_wrong.png); then writes exercise 1's answer into its cell (the cell's shared model, as an edit), runs the
   cells above it, the cell and its %test check, waits for the check to pass, and saves the notebook.

    ui_check.py BASE_URL TOKEN CHROMIUM OUT_DIR

Exits non-zero, naming the step, when something does not appear in time."""
import sys
from playwright.sync_api import sync_playwright

base, token, chromium, out = sys.argv[1:5]

# Exercise 1's answer, the whole cell as a learner would leave it.
ANSWER = """// GlobalAveragePool is exercise 1.
func GlobalAveragePool(x *Node) *Node {
	return ReduceMean(x, 1, 2) // ui-check: the learner's answer
}"""


# A plausible wrong answer first: the kept-dims mean of a TensorFlow habit (keepdims=True). Its check must fail
# and say why, in the browser, before the right answer passes.
WRONG = """// GlobalAveragePool is exercise 1.
func GlobalAveragePool(x *Node) *Node {
	return ReduceAndKeep(x, ReduceMean, 1, 2) // ui-check: a wrong answer
}"""
WRONG_SAYS = "want [2 4]"


def open_notebook(page, name):
    """Opens the notebook and waits until it is the current tab with its kernel (JupyterLab restores the
    tabs of its last session, so another notebook may be current for a while after the page loads)."""
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_function(
        """(name) => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return w && w.context && w.context.path.endsWith(name) && w.sessionContext
                && w.sessionContext.session && w.sessionContext.session.kernel;
        }""", arg=name, timeout=120_000)


def save(page):
    """Saves the current notebook and waits for the write (a notebook left dirty makes the next page load ask
    whether to leave it)."""
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)


def find_cell(page, *words):
    """Index of the first code cell whose source holds every word (-1 if none)."""
    return page.evaluate("""(words) => {
        const cells = window.jupyterapp.shell.currentWidget.content.widgets;
        for (let i = 0; i < cells.length; i++) {
            const src = cells[i].model.sharedModel.getSource();
            if (cells[i].model.type === 'code' && words.every(w => src.includes(w))) return i;
        }
        return -1;
    }""", list(words))


def run_through(page, index):
    """Runs every cell above index, then the cell at index (without waiting for it to finish)."""
    page.evaluate("""async (index) => {
        const app = window.jupyterapp;
        const nb = app.shell.currentWidget.content;
        nb.activeCellIndex = index;
        if (index > 0) await app.commands.execute('notebook:run-all-above');
        nb.activeCellIndex = index;
        app.commands.execute('notebook:run-cell');
    }""", index)


def cell_html(page, index):
    return page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerHTML", index)


def wait_cell(page, index, js_test, what, timeout_s):
    """Waits until js_test (a JS expression over `node`, the cell's element) holds for the cell."""
    try:
        page.wait_for_function(f"""(i) => {{
            const node = window.jupyterapp.shell.currentWidget.content.widgets[i].node;
            return {js_test};
        }}""", arg=index, timeout=timeout_s * 1000, polling=1000)
    except Exception:
        sys.exit(f"ui_check: {what} did not appear within {timeout_s} s; the cell shows:\n{cell_html(page, index)[-2000:]}")


def show(page, index):
    page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.scrollIntoView()", index)
    page.wait_for_timeout(500)


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    # Leaving a page JupyterLab still thinks unsaved asks first; Playwright's default answer (dismiss) would
    # cancel the navigation to the next notebook.
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. The first training cell of the learner's solution notebook, with its live panel (UI_CHECK_SKIP_TRAINING=1
    # skips it, for a rerun of the second part).
    import os
    skip_training = os.environ.get("UI_CHECK_SKIP_TRAINING") == "1"
    open_notebook(page, "my-solutions.ipynb")
    train = -1 if skip_training else find_cell(page, "notebook.Train(", "notebook.NewPanel")
    if not skip_training and train < 0:
        sys.exit("ui_check: no training cell with a live panel in my-solutions.ipynb")
    if not skip_training:
        run_through(page, train)
        wait_cell(page, train, "node.querySelector('progress') !== null && node.querySelectorAll('img').length >= 1",
                  "the live panel with its first curves", 900)
        show(page, train)
        page.screenshot(path=f"{out}/training.png")
        print("ui_check: the panel showed its first curves while the run trained:", f"{out}/training.png")
        wait_cell(page, train, "node.innerText.includes('finished:')", "the panel's 'finished' line", 1800)
        show(page, train)
        page.screenshot(path=f"{out}/trained.png")
        print("ui_check: the run finished, the panel kept its figures:", f"{out}/trained.png")
        images = page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.querySelectorAll('img').length", train)
        if images > 2:
            sys.exit(f"ui_check: the training cell holds {images} pictures, want at most 2 (the panel's curves and samples)")
        save(page)

    # 2. Exercise 1, answered in the learner's exercise notebook, checked and saved.
    open_notebook(page, "my-exercises.ipynb")
    ex = find_cell(page, "func GlobalAveragePool(")
    check = find_cell(page, "%test", "lessoncheck.GlobalAveragePool")
    if ex < 0 or check != ex + 1:
        sys.exit(f"ui_check: exercise 1's cell ({ex}) and its check ({check}) not found one after the other")
    # The learner's edit, through the cell's shared model (what the editor writes to as one types or pastes:
    # typing key by key into CodeMirror did not reliably reach a cell outside the rendered window).
    def write(src):
        page.evaluate("""(args) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            nb.activeCellIndex = args.i;
            nb.widgets[args.i].model.sharedModel.setSource(args.src);
        }""", {"i": ex, "src": src})
    write(WRONG)
    run_through(page, check)
    wait_cell(page, check, "node.innerText.includes('FAIL')", "exercise 1's check failing on the wrong answer", 600)
    said = page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerText", check)
    if WRONG_SAYS not in said:
        sys.exit(f"ui_check: the wrong answer's check did not say why ({WRONG_SAYS!r}): {said[-400:]}")
    show(page, check)
    page.screenshot(path=f"{out}/exercise_wrong.png")
    print("ui_check: a wrong answer to exercise 1 (kept dims) fails its check with its reason:", f"{out}/exercise_wrong.png")
    write(ANSWER)
    run_through(page, check)
    wait_cell(page, check, "node.innerText.includes('PASS')", "exercise 1's check passing", 600)
    if "FAIL" in page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.innerText", check):
        sys.exit("ui_check: exercise 1's check failed with the answer written in")
    show(page, check)
    page.screenshot(path=f"{out}/exercise.png")
    save(page)
    page.wait_for_timeout(2000)
    print("ui_check: exercise 1 answered in my-exercises.ipynb, its check passed, notebook saved:", f"{out}/exercise.png")
    browser.close()

"""Opens the learner's copy of the solution notebook in JupyterLab in headless Chromium, runs its first cells with the GoNB
kernel (set-up, imports, settings, and the cell that prints the backend), waits for that cell's output,
and saves a screenshot. Exits non-zero if the output never appears."""
import sys
from playwright.sync_api import sync_playwright

url, chromium, shot = sys.argv[1:4]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel", timeout=120_000)
    # Find the cell that prints the backend and run it with everything above it.
    index = page.evaluate("""() => {
        const nb = window.jupyterapp.shell.currentWidget.content;
        const cells = nb.widgets;
        for (let i = 0; i < cells.length; i++) {
            if (cells[i].model.sharedModel.getSource().includes('fmt.Printf("backend:')) return i;
        }
        return -1;
    }""")
    if index < 0:
        sys.exit("ui_check: the backend cell was not found in the notebook")
    page.evaluate("""async (index) => {
        const app = window.jupyterapp;
        const nb = app.shell.currentWidget.content;
        nb.activeCellIndex = index;
        await app.commands.execute('notebook:run-all-above');
        nb.activeCellIndex = index;
        await app.commands.execute('notebook:run-cell');
    }""", index)
    page.wait_for_selector("text=this run: the", timeout=300_000)
    page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node.scrollIntoView()", index)
    page.wait_for_timeout(500)
    page.screenshot(path=shot)
    print("ui_check: JupyterLab ran the GoNB cell; screenshot in", shot)
    browser.close()

#!/usr/bin/env python3
"""Browser test of flow-web: headless Chromium (Debian chromium + chromium-driver) driven by selenium.

Starts `flow-replay --speed 10 LOG | bash-detect | flow-web --listen 127.0.0.1:0` in its own process
group, opens the page, waits for the known flow's text, checks that the shell command is shown as
one and that the injected <script> prompt is text (not run, not an element), saves a screenshot in
OUT_DIR, and stops the pipeline it started. Exit 0 on success; the failure is printed otherwise.
Usage: browser_test.py BIN_DIR LOG OUT_DIR
"""
import os, re, signal, subprocess, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

bin_dir, log, out_dir = sys.argv[1:4]
q = lambda s: "'" + s.replace("'", "'\\''") + "'"
pipeline = (f"{q(bin_dir + '/flow-replay')} --speed 10 {q(log)} | {q(bin_dir + '/bash-detect')} --line-buffered "
            f"| {q(bin_dir + '/flow-web')} --listen 127.0.0.1:0 > {q(out_dir + '/passed.jsonl')}")
# The browser starts first, so the page is open while the replay streams (not after it ended).
options = Options()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-proxy-server", "--window-size=1280,1600"):
    options.add_argument(arg)
options.binary_location = "/usr/bin/chromium"
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
proc = subprocess.Popen(["bash", "-c", pipeline], stderr=subprocess.PIPE, text=True, start_new_session=True)
try:
    line = proc.stderr.readline()
    match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
    assert match, f"flow-web did not say where it serves: {line!r}"
    url = match.group(1)
    driver.set_page_load_timeout(20)
    driver.get(url)
    wait = WebDriverWait(driver, 30)
    # Live, not a snapshot of the end: the known flow has not started when the page is up.
    assert not driver.find_elements(By.CSS_SELECTOR, ".card[data-id='known']"), "page opened too late"

    # The known flow's streamed text arrives, then its flow_end (its last op: "2800 ms" shown).
    # Cards are re-rendered on every change, so the page is read with JS queries (atomic), not
    # with element references that a re-render makes stale.
    js = lambda script: driver.execute_script(script)
    card = "document.querySelector(\".card[data-id='known']\")"
    wait.until(lambda d: "KNOWN-FLOW-TEXT finished listing" in js(f"return {card}?.textContent || ''"))
    wait.until(lambda d: "2800 ms" in js(f"return {card}?.textContent || ''"))
    assert js(f"return {card}.querySelector('.state').textContent") == "DONE"

    # The shell command is shown as a command (bash-detect's record), not as raw tool JSON.
    commands = js(f"return [...{card}.querySelectorAll('.bash .command')].map(e => e.textContent)")
    assert commands == ["ls -la /tmp"], f"bash commands shown: {commands}"
    labels = js(f"return [...{card}.querySelectorAll('.bash .label')].map(e => e.textContent)")
    assert labels == ["$ bash"], labels

    # The injected prompt is text: shown literally, never run, no element made from it.
    prompt = js(f"return {card}.querySelector('.prompt').textContent")
    assert "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>" in prompt, prompt
    assert js("return window.__pwned === undefined"), "injected script ran"
    assert js("return document.querySelectorAll('#flows script, #flows img').length") == 0

    # The search box filters.
    box = driver.find_element(By.ID, "search")
    box.send_keys("no such text anywhere")
    wait.until(lambda d: js(f"return {card}.classList.contains('hidden')"))
    box.clear(); box.send_keys("KNOWN-FLOW")
    wait.until(lambda d: not js(f"return {card}.classList.contains('hidden')"))
    js("const b = document.getElementById('search'); b.value = ''; b.dispatchEvent(new Event('input'))")

    shot = os.path.join(out_dir, "flow-web.png")
    driver.save_screenshot(shot)
    print(f"screenshot: {shot}")
finally:
    driver.quit()
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)

#!/usr/bin/env python3
"""Page responsiveness of flow-web with N flows (bench/flow-web.sh): serves the log with --keep N, opens
the page in headless Chromium, and prints the time until the page shows N flows (snapshot applied and
rendered) and the time the search box takes to filter them (median of 5). Usage: flow-web-page.py FLOW_WEB LOG N"""
import os, re, signal, statistics, subprocess, sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

web, log, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Input held open after the log so the server stays up; the process group is ours to stop.
proc = subprocess.Popen(["bash", "-c", f"{{ cat '{log}'; sleep 600; }} | '{web}' --keep {n} --listen 127.0.0.1:0 > /dev/null"],
                        stderr=subprocess.PIPE, text=True, start_new_session=True)
driver = None
try:
    url = re.search(r"(http://\S+/)", proc.stderr.readline()).group(1)
    # Wait until the whole log is read (RSS stops growing is not needed: the snapshot has what is read).
    time.sleep(float(os.environ.get("READ_SECONDS", "20")))
    rss = [l for l in open(f"/proc/{int(subprocess.check_output(['pgrep', '-g', str(proc.pid), '-x', 'flow-web']).split()[0])}/status") if l.startswith("VmRSS")]
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-proxy-server"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    start = time.monotonic()
    driver.get(url)
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#flows .card').length") >= n)
    shown = time.monotonic() - start
    timings = []
    for word in ["zzz-no-match", "", "bash", "", "session"]:
        timings.append(driver.execute_script("""
            const b = document.getElementById('search'); const t = performance.now();
            b.value = arguments[0]; b.dispatchEvent(new Event('input'));
            document.body.offsetHeight; return performance.now() - t;""", word))
    print(f"page: {n} flows shown {shown * 1000:.0f} ms after load; search filter median {statistics.median(timings):.1f} ms "
          f"(max {max(timings):.1f} ms); flow-web {rss[0].strip() if rss else ''}")
finally:
    if driver is not None:
        driver.quit()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)

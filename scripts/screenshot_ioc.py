"""Takes the README's screenshot of the operations-centre page (docs/img/ioc.png).

Against a running demo (`scripts/run.sh`): headless Chromium logs in on /ioc
as demo.leader (password, then the TOTP code of the demo secret), waits for
the figures and saves the page.
    .venv/bin/python scripts/screenshot_ioc.py [BASE_URL] [OUTPUT]
"""
import json
import shutil
import sys
import tempfile
import time
import urllib.request

import pyotp
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
output = sys.argv[2] if len(sys.argv) > 2 else "docs/img/ioc.png"
demo = json.load(urllib.request.urlopen(f"{base}/api/v1/dev/demo", timeout=10))
leader = next(member for member in demo["staff"] if member["key"] == "leader")

options = webdriver.ChromeOptions()
options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='ioc-shot-')}", "--window-size=1440,1000",
                 "--hide-scrollbars", "--lang=vi"):
    options.add_argument(argument)
driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))


def wait_for(script, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for: {script}")


try:
    driver.get(f"{base}/ioc")
    wait_for("return !document.querySelector('#login').hidden")
    form = driver.find_element("id", "login-form")
    form.find_element("name", "login").send_keys(leader["login"])
    form.find_element("name", "password").send_keys(demo["password"])
    form.find_element("css selector", "button").click()
    wait_for("return !document.querySelector('#totp-form').hidden")
    totp = driver.find_element("id", "totp-form")
    totp.find_element("name", "code").send_keys(pyotp.TOTP(leader["totp_secret"]).now())
    totp.find_element("css selector", "button").click()
    wait_for("return document.body.dataset.loads === '1'")
    time.sleep(1.5)   # the charts' drawing animation
    driver.save_screenshot(output)
    print(f"wrote {output}")
finally:
    driver.quit()

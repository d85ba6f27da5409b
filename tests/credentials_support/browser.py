"""Drive headless Chromium through authgen's credentials form, as a person would.

usage: browser.py CHROMIUM CHROMEDRIVER SCENARIO URL JSON_ARGS
Prints one JSON object of observations; any failed step raises (exit 1).
"""

import json
import sys
import tempfile

from selenium import webdriver
from selenium.common.exceptions import ElementNotInteractableException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser(chromium, chromedriver, profile):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument("--user-data-dir=" + profile)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    return driver


def heading(driver):
    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "heading"))).text


def fill(driver, name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def hidden_refuses_input(driver, name):
    """A field of another auth method is hidden: typing into it fails."""
    field = driver.find_element(By.NAME, name)
    if field.is_displayed():
        return False
    try:
        field.send_keys("x")
    except ElementNotInteractableException:
        return True
    return False


def form(driver, url, args):
    """Fill the form, switch auth method, save."""
    seen = {}
    driver.get(url)
    seen["title"] = driver.title
    seen["img_elements"] = len(driver.find_elements(By.TAG_NAME, "img"))
    seen["page_text"] = driver.find_element(By.TAG_NAME, "body").text
    driver.find_element(By.ID, "method-0").click()
    seen["first_method_secret_type"] = driver.find_element(By.NAME, args["first_secret"]).get_attribute("type")
    seen["second_hidden_at_first"] = hidden_refuses_input(driver, args["second_field"])
    for name, value in args["first"].items():
        fill(driver, name, value)
    for name, value in args["shared"].items():
        fill(driver, name, value)
    driver.find_element(By.ID, "method-1").click()
    seen["first_hidden_after_switch"] = hidden_refuses_input(driver, args["first_secret"])
    for name, value in args["second"].items():
        fill(driver, name, value)
    driver.find_element(By.ID, "save").click()
    seen["heading"] = heading(driver)
    seen["result_text"] = driver.find_element(By.TAG_NAME, "body").text
    return seen


def oauth(driver, url, args):
    """Authorize at the provider, replay the callback, save."""
    seen = {}
    driver.get(url)
    seen["redirect_uri_shown"] = driver.find_element(By.ID, "redirect-uri").text
    for name, value in args["fields"].items():
        fill(driver, name, value)
    driver.find_element(By.ID, "authorize").click()
    seen["callback_heading"] = heading(driver)
    seen["callback_text"] = driver.find_element(By.TAG_NAME, "body").text
    callback = driver.current_url
    seen["callback_path"] = callback.split("?")[0]
    if args.get("replay"):
        driver.get(callback)
        seen["replay_heading"] = heading(driver)
    driver.get(url)
    seen["status_after"] = driver.find_element(By.ID, "oauth-status").text
    seen["refresh_value_in_page"] = driver.find_element(By.NAME, "refresh_token").get_attribute("value")
    if args.get("save"):
        driver.find_element(By.ID, "save").click()
        seen["save_heading"] = heading(driver)
    return seen


def fields(driver, url, args):
    """Fill fields by name (a textarea takes every line), note their tags, save."""
    driver.get(url)
    seen = {"tags": {}}
    for name, value in args["fields"].items():
        seen["tags"][name] = driver.find_element(By.NAME, name).tag_name
        fill(driver, name, value)
    driver.find_element(By.ID, "save").click()
    seen["heading"] = heading(driver)
    return seen


def main():
    chromium, chromedriver, scenario, url, raw = sys.argv[1:6]
    args = json.loads(raw)
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(chromium, chromedriver, profile)
        try:
            seen = {"form": form, "oauth": oauth, "fields": fields}[scenario](driver, url, args)
        finally:
            driver.quit()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()

"""A real browser (headless Chromium) against the live server's browsable API."""

import shutil
from importlib.util import find_spec

import pytest
from asgiref.sync import sync_to_async

from restflow_test import AsyncAPILiveServerTestCase
from testproject.shop.models import Product

# --8<-- [start:browser]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (find_spec("selenium") and CHROMIUM and CHROMEDRIVER),
    reason="needs selenium, Chromium and chromedriver "
    "(pip install selenium; Debian: apt-get install chromium chromium-driver)",
)


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class BrowsableAPILoginTests(AsyncAPILiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.browser = _browser()
        cls.addClassCleanup(cls.browser.quit)

    async def test_log_in_through_drf_login_page_and_see_the_list(self):
        from django.contrib.auth.models import User

        await User.objects.acreate_user("carla", password="browser-pass")
        await Product.objects.acreate(name="Browser Lamp", price="3.00")
        await sync_to_async(self._drive_browser, thread_sensitive=False)()

    def _drive_browser(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as shows
        from selenium.webdriver.support.ui import WebDriverWait

        browser = self.browser
        list_url = f"{self.live_server_url}/api/products/"
        browser.get(list_url)
        assert "Browser Lamp" in browser.page_source
        browser.find_element(By.LINK_TEXT, "Log in").click()
        browser.find_element(By.NAME, "username").send_keys("carla")
        browser.find_element(By.NAME, "password").send_keys("browser-pass")
        browser.find_element(By.CSS_SELECTOR, "[type=submit]").click()
        # click() returns before the redirect has loaded: wait for the page, not a guess.
        # (The login page's own URL ends with "?next=/api/products/", so compare all of it.)
        wait = WebDriverWait(browser, timeout=10)
        wait.until(shows.url_to_be(list_url))
        wait.until(shows.text_to_be_present_in_element((By.CSS_SELECTOR, ".navbar"), "carla"))
        assert "Browser Lamp" in browser.page_source
        # The browsable API's own CSS came from the live server's static files.
        css = browser.execute_script(
            "return [...document.styleSheets].map(s => s.href).filter(Boolean)"
        )
        assert any("/static/rest_framework/" in href for href in css)
# --8<-- [end:browser]

# Not part of the example above: `make test` leaves this one to `make test-slow`.
pytestmark = [pytestmark, pytest.mark.browser]

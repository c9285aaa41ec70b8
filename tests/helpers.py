import unittest


def run_case(case_class, *names):
    """Run some tests of a TestCase class in-process; return the unittest result."""
    loader = unittest.defaultTestLoader
    suite = unittest.TestSuite(
        [case_class(name) for name in names] if names else loader.loadTestsFromTestCase(case_class)
    )
    result = unittest.TestResult()
    suite.run(result)
    return result


def problems(result):
    return [text for _, text in result.errors + result.failures]

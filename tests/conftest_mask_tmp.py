import signal
_seen = set()
def pytest_configure(config):
    print("MASKPLUGIN loaded")
def pytest_runtest_teardown(item):
    m = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    d = signal.getsignal(signal.SIGTERM)
    key = (tuple(sorted(int(s) for s in m)), str(d))
    if key not in _seen and (m or d is not signal.SIG_DFL):
        _seen.add(key)
        print(f"\nAFTER {item.nodeid}: mask={key[0]} SIGTERM={d}", flush=True)

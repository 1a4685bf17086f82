"""What of a run only staff may see: where and how the server ran it.

Every signed-in user browses every run, but the worker's host name and process id, the
code's commit, the server's data folder and a failure's traceback (with its file paths)
describe the machine, not the experiment; they help an operator and an attacker alike.
Pages, the API and exports ask here, so a new view of a run hides the same things.
"""

STAFF_ONLY_RUN_FIELDS = ("worker_host", "code_version", "error_details")
SERVER_CONFIG_KEYS = ("data_root",)
# A usefulness score's result records how the worker that scored it was built and where it
# ran (the code's commit, the device, every package version): the same kind of detail.
STAFF_ONLY_RESULT_KEYS = ("git_commit", "device", "versions", "data_root")


def sees_server_details(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def public_config(config):
    """The run's configuration without the keys that name server paths."""
    if not isinstance(config, dict):
        return config
    return {key: value for key, value in config.items() if key not in SERVER_CONFIG_KEYS}


def config_for_viewer(config, *, user):
    return config if sees_server_details(user) else public_config(config)


def result_for_viewer(result, *, user):
    """A usefulness score's result, without how and where the server computed it unless staff."""
    if sees_server_details(user) or not isinstance(result, dict):
        return result
    return {key: value for key, value in result.items() if key not in STAFF_ONLY_RESULT_KEYS}

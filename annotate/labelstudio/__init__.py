"""All that speaks Label Studio: labelling configs, tasks, the client (push/pull), exports."""

__all__: list[str] = []

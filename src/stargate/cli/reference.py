"""Generate the CLI reference (``docs/cli.md``) from the command tree itself.

``python -m stargate.cli.reference > docs/cli.md`` rewrites it; a test fails when it drifts.
"""

from __future__ import annotations

import inspect

import click

from stargate.cli import app


def _param_line(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        name = f"`{param.human_readable_name}`"
        required = "required" if param.required else "optional"
        suffix = ", one or more" if param.nargs == -1 else ""
        text = getattr(param, "help", None) or ""
        return f"- {name} ({required}{suffix}) {text}".rstrip()
    assert isinstance(param, click.Option)
    names = " / ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
    if not param.is_flag:
        metavar = param.metavar or param.type.name.upper()
        names += f" {metavar}"
    details = []
    if isinstance(param.type, click.Choice):
        details.append("one of " + ", ".join(f"`{c}`" for c in param.type.choices))
    if param.multiple:
        details.append("repeatable")
    default = param.to_info_dict()["default"]
    if default not in (None, False, ()) and not param.is_flag:
        details.append(f"default `{default}`")
    help_text = param.help or ""
    extra = f" ({'; '.join(details)})" if details else ""
    return f"- {names}: {help_text}{extra}"


def _section(command: click.Command, path: list[str], parent: click.Context) -> list[str]:
    """The reference of one command and, for a group, of every command under it."""
    context = click.Context(command, info_name=path[-1], parent=parent)
    name = " ".join(path)
    usage = " ".join(command.collect_usage_pieces(context))
    level = "#" * min(len(path) + 1, 4)
    lines = ["", f"{level} `stargate {name}`", "", inspect.cleandoc(command.help or ""), ""]
    lines += ["```", f"stargate {name} {usage}".rstrip(), "```", ""]
    params = [p for p in command.params if p.name != "help"]
    lines += [_param_line(p) for p in params] or ["(no options)"]
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            assert sub is not None
            lines += _section(sub, [*path, sub_name], context)
    return lines


def render() -> str:
    """The whole reference: the root's options, then every command, nested groups included."""
    root = app
    context = click.Context(root, info_name="stargate")
    lines = [
        "# CLI reference",
        "",
        "Generated from the command itself by `python -m stargate.cli.reference`; "
        "a test fails when this page and the CLI disagree.",
        "",
        f"`stargate [OPTIONS] COMMAND [ARGS]...` — {root.help or ''}".rstrip(),
        "",
        "Global options (before the command):",
        "",
    ]
    lines += [_param_line(p) for p in root.params if p.name not in {"help", "version"}]
    lines += ["- `--version`: Show the version and exit."]
    for name in root.list_commands(context):
        command = root.get_command(context, name)
        assert command is not None
        lines += _section(command, [name], context)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")

"""The old home of floor 1, now `tensorweave.core`: each module here stands for its new home, so
`from tensorweave.framework.graph import Graph` and friends keep working."""

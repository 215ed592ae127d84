"""SpiffWorkflow's engine steps without walking an instance's whole history at every step.

SpiffWorkflow 3.2 (pinned) finds the tasks to run by walking the task tree from its root:
`do_engine_steps` lists the READY tasks (twice per step at least) and every completed task
makes its workflow list its WAITING tasks (`update_waiting_tasks`). An instance that loops grows a
deep tree of finished tasks, so each step walked further than the one before (a 50-loop instance
spent its 50th loop several times longer in these walks than its first).

Here the flat task map (`workflow.tasks`) is scanned instead, an order of magnitude cheaper
per task, and SpiffWorkflow's walk is still used whenever its order or laziness could matter:
- no WAITING task in a workflow: `update_waiting_tasks` has nothing to update (the walk only
  visits tasks of that map); otherwise SpiffWorkflow's own walk runs;
- at most one READY task of the top workflow and no READY task in a subprocess: that task is
  the walk's answer if the walk would reach it (`_reached`); otherwise the walk runs.
`do_engine_steps` is SpiffWorkflow 3.2's `BpmnWorkflow.do_engine_steps` with that lookup.
"""
from __future__ import annotations

from functools import partial
from operator import attrgetter

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

READY, WAITING, FUTURE = TaskState.READY, TaskState.WAITING, TaskState.FUTURE
_MAX_DEPTH = 1000  # TaskIterator's default: the walk does not descend below it


def install(workflow: BpmnWorkflow) -> None:
    """Give a workflow and its subprocesses the flat `update_waiting_tasks` (idempotent; a
    subprocess created later gets it at the next `do_engine_steps`)."""
    for wf in (workflow, *workflow.subprocesses.values()):
        if "update_waiting_tasks" not in wf.__dict__:
            wf.update_waiting_tasks = partial(_update_waiting_tasks, wf)


def _update_waiting_tasks(workflow) -> None:
    for task in workflow.tasks.values():
        if task._state & WAITING:
            Workflow.update_waiting_tasks(workflow)
            return


def do_engine_steps(workflow: BpmnWorkflow) -> None:
    """`workflow.do_engine_steps()`: run READY engine tasks until only manual or waiting
    tasks are left, then refresh the timers."""
    install(workflow)
    while _engine_steps(workflow):
        pass
    workflow.refresh_timers()


def _engine_steps(top: BpmnWorkflow) -> bool:
    """SpiffWorkflow 3.2's `BpmnWorkflow._do_engine_steps` (no callbacks)."""
    def update_workflow(wf) -> int:
        count = 0
        for task in ready_tasks(top, wf):
            if not task.task_spec.manual:
                task.run()
                count += 1
        return count

    active = top.get_active_subprocesses()
    for subprocess in sorted(active, key=lambda v: v.depth, reverse=True):
        install(top)
        count = None
        while count is None or count > 0:
            count = update_workflow(subprocess)
        if subprocess.parent_task_id is not None:
            task = top.get_task_from_id(subprocess.parent_task_id)
            task.task_spec._update(task)
    count = update_workflow(top)
    return count > 0 or len(top.get_active_subprocesses()) > len(active)


def ready_tasks(top: BpmnWorkflow, wf) -> list:
    """`wf.get_tasks(state=TaskState.READY)`: the same tasks in the same order."""
    if wf is top and sum(len(sp.tasks) for sp in top.subprocesses.values()) + len(top.tasks) \
            < _MAX_DEPTH and not any(task._state & READY for sp in top.subprocesses.values()
                                     for task in sp.tasks.values()):
        found = [task for task in top.tasks.values() if task._state & READY]
        if not found or (len(found) == 1 and _reached(top, found[0])):
            return found
    return wf.get_tasks(state=READY)


def _reached(top: BpmnWorkflow, task) -> bool:
    """Whether SpiffWorkflow's READY walk from the root reaches `task` of the top workflow:
    each ancestor lists it as a child and is descended into (a state from FUTURE on, or a
    subprocess's task). Depth is not checked: callers ensure fewer tasks than the walk's
    depth limit.

    The last path found is kept (root first, with each node's parent, state and children), so
    the next task's walk stops where it meets that path, whose unchanged links are then
    checked in C rather than looked up again task by task (a looping instance's path is its
    whole history)."""
    tasks, subprocesses, root = top.tasks, top.subprocesses, top.task_tree
    nodes, links, depth_of = top.__dict__.get("_jianyi_path", ([], [], {}))
    usable = bool(nodes) and nodes[0] is root
    path, keep, node, k = [], True, task, 0
    while node is not root:
        k = depth_of.get(id(node)) if usable else None
        if k is not None and k < len(nodes) and nodes[k] is node:
            if node._parent == links[k][0] and list(map(_LINKS, nodes[:k])) == links[:k]:
                break  # the kept path from the root down to here still holds
            usable = False
        parent = tasks.get(node._parent)
        if parent is None or node.id not in parent._children:
            return False
        if parent._state < FUTURE:
            if parent.id not in subprocesses:
                return False
            keep = False  # reached through a subprocess's task: not kept
        path.append(node)
        node = parent
    else:
        k, nodes, links, depth_of = 0, [root], [], {id(root): 0}
    if keep:  # the kept path becomes: root .. node (depth k), then the path just walked
        path.reverse()
        nodes = nodes[:k + 1] + path
        links = links[:k] + list(map(_link, nodes[k:]))
        depth_of.update((id(n), i) for i, n in enumerate(path, k + 1))
        top.__dict__["_jianyi_path"] = (nodes, links, depth_of)
    return True


_LINKS = attrgetter("_parent", "_state", "_children")


def _link(task) -> tuple:
    return task._parent, task._state, list(task._children)

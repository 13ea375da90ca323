"""Per-request aiodataloader loaders, one module per upstream.

Every by-key fetch of the graph goes through these. A batch function answers
in key order, uses the upstream's batch endpoint where one exists and chunks
to its cap; the jobs store has none, so its loader runs deduplicated single
GETs concurrently under a bound. List queries prime the by-id loaders with
what they fetched, so a later lookup of the same object costs nothing.
"""

from __future__ import annotations

from functools import cached_property

from gateway.loaders.awx import (
    JobTemplateByIdLoader,
    WorkflowJobByIdLoader,
    WorkflowJobNodeByIdLoader,
    WorkflowJobNodesByWorkflowJobIdLoader,
)
from gateway.loaders.awx_jobs import (
    OutputRangeLoader,
    PlaybookJobDetailByIdLoader,
    UnifiedJobByIdLoader,
)
from gateway.loaders.jobstore import FlowJobByIdLoader
from gateway.loaders.opsmanager import OperationsJobByIdLoader
from gateway.loaders.opsmanager_detail import OperationsJobDetailByIdLoader
from gateway.upstreams.awx import AwxAPI
from gateway.upstreams.jobstore import JobstoreAPI
from gateway.upstreams.opsmanager import OpsManagerAPI


class Loaders:
    """The loaders of one GraphQL request, each made the first time it is used.

    Most operations use one or two of them, and making a ``DataLoader`` is not
    free (it inspects its batch function): a small query spent a tenth of its
    time making loaders it never used.
    """

    def __init__(
        self,
        *,
        jobstore: JobstoreAPI,
        opsmanager: OpsManagerAPI,
        awx: AwxAPI,
        jobstore_concurrency: int,
    ) -> None:
        self._jobstore = jobstore
        self._opsmanager = opsmanager
        self._awx = awx
        self._jobstore_concurrency = jobstore_concurrency

    @classmethod
    def create(
        cls,
        *,
        jobstore: JobstoreAPI,
        opsmanager: OpsManagerAPI,
        awx: AwxAPI,
        jobstore_concurrency: int,
    ) -> Loaders:
        """Loaders over these APIs (use inside the running event loop)."""
        return cls(
            jobstore=jobstore,
            opsmanager=opsmanager,
            awx=awx,
            jobstore_concurrency=jobstore_concurrency,
        )

    @cached_property
    def flow_job_by_id(self) -> FlowJobByIdLoader:
        """Jobs-store jobs by id."""
        return FlowJobByIdLoader(self._jobstore, concurrency=self._jobstore_concurrency)

    @cached_property
    def operations_job_by_id(self) -> OperationsJobByIdLoader:
        """Operations-manager jobs by id."""
        return OperationsJobByIdLoader(self._opsmanager)

    @cached_property
    def operations_job_detail_by_id(self) -> OperationsJobDetailByIdLoader:
        """Operations-manager jobs' full documents (variables included), one GET each."""
        return OperationsJobDetailByIdLoader(self._opsmanager)

    @cached_property
    def workflow_job_by_id(self) -> WorkflowJobByIdLoader:
        """AWX workflow jobs by id."""
        return WorkflowJobByIdLoader(self._awx)

    @cached_property
    def workflow_job_node_by_id(self) -> WorkflowJobNodeByIdLoader:
        """AWX workflow job nodes by id."""
        return WorkflowJobNodeByIdLoader(self._awx)

    @cached_property
    def workflow_job_nodes_by_workflow_job_id(self) -> WorkflowJobNodesByWorkflowJobIdLoader:
        """The nodes of AWX workflow jobs, by workflow job id."""
        return WorkflowJobNodesByWorkflowJobIdLoader(self._awx)

    @cached_property
    def unified_job_by_id(self) -> UnifiedJobByIdLoader:
        """AWX jobs of any type (what workflow nodes spawned), by id."""
        return UnifiedJobByIdLoader(self._awx)

    @cached_property
    def playbook_job_detail_by_id(self) -> PlaybookJobDetailByIdLoader:
        """AWX playbook jobs' detail (host counts), by id: one GET each."""
        return PlaybookJobDetailByIdLoader(self._awx)

    @cached_property
    def output_range(self) -> OutputRangeLoader:
        """Line ranges of AWX jobs' output, by (type, id, start, end)."""
        return OutputRangeLoader(self._awx)

    @cached_property
    def job_template_by_id(self) -> JobTemplateByIdLoader:
        """AWX job templates by id."""
        return JobTemplateByIdLoader(self._awx)

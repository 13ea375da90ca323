"""Per-request aiodataloader loaders, one module per upstream.

Every by-key fetch of the graph goes through these. A batch function answers
in key order, uses the upstream's batch endpoint where one exists and chunks
to its cap; the jobs store has none, so its loader runs deduplicated single
GETs concurrently under a bound. List queries prime the by-id loaders with
what they fetched, so a later lookup of the same object costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.loaders.awx import (
    JobTemplateByIdLoader,
    WorkflowJobByIdLoader,
    WorkflowJobNodeByIdLoader,
    WorkflowJobNodesByWorkflowJobIdLoader,
)
from gateway.loaders.jobstore import FlowJobByIdLoader
from gateway.loaders.opsmanager import OperationsJobByIdLoader
from gateway.upstreams.awx import AwxAPI
from gateway.upstreams.jobstore import JobstoreAPI
from gateway.upstreams.opsmanager import OpsManagerAPI


@dataclass(slots=True)
class Loaders:
    """The loaders of one GraphQL request."""

    flow_job_by_id: FlowJobByIdLoader
    operations_job_by_id: OperationsJobByIdLoader
    workflow_job_by_id: WorkflowJobByIdLoader
    workflow_job_node_by_id: WorkflowJobNodeByIdLoader
    workflow_job_nodes_by_workflow_job_id: WorkflowJobNodesByWorkflowJobIdLoader
    job_template_by_id: JobTemplateByIdLoader

    @classmethod
    def create(
        cls,
        *,
        jobstore: JobstoreAPI,
        opsmanager: OpsManagerAPI,
        awx: AwxAPI,
        jobstore_concurrency: int,
    ) -> Loaders:
        """Fresh loaders (call inside the running event loop)."""
        return cls(
            flow_job_by_id=FlowJobByIdLoader(jobstore, concurrency=jobstore_concurrency),
            operations_job_by_id=OperationsJobByIdLoader(opsmanager),
            workflow_job_by_id=WorkflowJobByIdLoader(awx),
            workflow_job_node_by_id=WorkflowJobNodeByIdLoader(awx),
            workflow_job_nodes_by_workflow_job_id=WorkflowJobNodesByWorkflowJobIdLoader(awx),
            job_template_by_id=JobTemplateByIdLoader(awx),
        )

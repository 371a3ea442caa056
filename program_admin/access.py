"""Finding the program admin's own records for the person asking (``members.access`` rules)."""

from django.http import Http404

from members.access import get_cohort_for_admin
from members.policy import Scope

from .models import ImportJob


def get_import_job_for_admin(user, pk: int) -> ImportJob:
    job = ImportJob.objects.defer("payload").filter(pk=pk).first()
    if job is None:
        raise Http404
    job.cohort = get_cohort_for_admin(user, job.cohort_id)
    return job


IMPORT_JOB_ADMIN = Scope("job_id", "job", get_import_job_for_admin)

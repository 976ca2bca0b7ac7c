#!/bin/sh
# One-shot job on temporalio/admin-tools (compose's temporal-setup, the Kubernetes Job
# temporal-namespace): waits for the frontend, registers the namespace with its retention (or
# sets the retention of an existing one), then registers the sale's custom search attributes
# (workflows/search_attributes.py; tests/unit/test_compose.py keeps the two lists equal).
# Idempotent, and it fails when an attribute is still missing, so the workers and the API
# (which wait for this job to succeed) never start against a namespace that would refuse the
# sale's search attributes.
set -eu
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
# How long Temporal keeps a closed sale's history (the records database keeps its trail forever).
RETENTION="${NAMESPACE_RETENTION:-30d}"

attempt=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 90 ] || { echo "Temporal frontend $ADDRESS not healthy" >&2; exit 1; }
    sleep 2
done

if temporal operator namespace describe --address "$ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1; then
    temporal operator namespace update --address "$ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
else
    temporal operator namespace create --address "$ADDRESS" -n "$NAMESPACE" --retention "$RETENTION"
fi

# One line per attribute, NAME=Type as the CLI spells it.
ATTRIBUTES="
    MndStep=Keyword
    MndWaitingOn=KeywordList
    MndConsultant=Keyword
    MndClientDocument=Keyword
    MndPlan=Keyword
    MndCrmRoute=Keyword
    MndDueDate=Datetime
    MndStatus=Keyword
"
missing() {
    registered="$(temporal operator search-attribute list --address "$ADDRESS" -n "$NAMESPACE" 2>/dev/null)" || return 0
    for attribute in $ATTRIBUTES; do
        echo "$registered" | grep -qw "${attribute%%=*}" || return 0
    done
    return 1
}
# A namespace just created takes a few seconds to reach every server cache, and until then
# attributes are refused: register, check, and try again for up to three minutes.
attempt=0
while missing; do
    attempt=$((attempt + 1))
    [ "$attempt" -le 90 ] || { echo "search attributes not registered on $NAMESPACE" >&2; exit 1; }
    for attribute in $ATTRIBUTES; do
        # Creating one that exists fails: the check above is what decides.
        temporal operator search-attribute create --address "$ADDRESS" -n "$NAMESPACE" \
            --name "${attribute%%=*}" --type "${attribute#*=}" >/dev/null 2>&1 || true
    done
    missing || break
    sleep 2
done
echo "namespace $NAMESPACE (retention $RETENTION) and its search attributes are registered"

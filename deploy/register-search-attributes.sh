#!/bin/sh
# Waits for the Temporal frontend, then registers the sale's custom search attributes
# (workflows/search_attributes.py). Registering one that exists fails harmlessly: ignored.
set -u
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do sleep 2; done
until temporal operator namespace describe --address "$ADDRESS" -n "$NAMESPACE" >/dev/null 2>&1; do sleep 2; done
for attribute in \
    MndStep=Keyword \
    MndWaitingOn=KeywordList \
    MndConsultant=Keyword \
    MndClientDocument=Keyword \
    MndPlan=Keyword \
    MndCrmRoute=Keyword \
    MndDueDate=Datetime \
    MndStatus=Keyword; do
    temporal operator search-attribute create --address "$ADDRESS" -n "$NAMESPACE" \
        --name "${attribute%%=*}" --type "${attribute#*=}" || true
done
echo "search attributes registered"

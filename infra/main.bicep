// The help desk bot on Azure, in one resource group (step 2 of infra/README.md):
//   user-assigned managed identity  → the bot's Microsoft App ID, Graph reader, Storage data contributor
//   Azure Bot (UserAssignedMSI)     → messaging endpoint https://<web app>/api/messages, Teams channel
//   App Service plan + web app      → Linux, Node 22 LTS, runs the package:web zip, HTTPS only, health check /readyz
//   Storage account                 → blob container (bot state) + tables (tickets, outbox, settings), no shared keys
//   Log Analytics + App Insights    → logs and telemetry
//
//   az deployment group create -g <rg> -n main -f infra/main.bicep -p infra/main.parameters.json
//
// The identity's Microsoft Graph permissions are NOT granted here: Entra takes a while to replicate
// a new identity, which made a grant in the same deployment fail. They are a separate, re-runnable
// step (infra/grant-graph-permissions.sh, or the infra/graph-permissions deployment), so this
// deployment needs no directory role and nothing from a Bicep registry.
// Outputs are named after the environment variables they fill (see infra/README.md).
// `npm run check:infra` builds and lints this file and its modules.

targetScope = 'resourceGroup'

@description('Azure region for every resource except the Azure Bot (which is global).')
param location string = resourceGroup().location

@description('Short prefix for resource names: lowercase letters, digits and hyphens.')
@minLength(2)
@maxLength(12)
param namePrefix string = 'helpdesk'

@description('Name of the web app, unique across Azure: its host <name>.azurewebsites.net becomes BOT_DOMAIN.')
@minLength(2)
@maxLength(60)
param webAppName string = '${namePrefix}-bot-${uniqueString(resourceGroup().id)}'

@description('Name (handle) of the Azure Bot resource, unique across Azure Bot Service.')
@minLength(2)
@maxLength(64)
param botName string = '${namePrefix}-bot-${uniqueString(resourceGroup().id)}'

@description('Display name of the bot in Azure Bot Service.')
param botDisplayName string = 'OneDrive Sign-in Help'

@description('Pricing tier of the Azure Bot (Teams is a standard channel: free on F0 and S1).')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('App Service plan SKU (Basic or higher, for Always On).')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
])
param appServicePlanSku string = 'B1'

@description('Number of web app instances; they share state through the storage account.')
@minValue(1)
@maxValue(10)
param instanceCount int = 1

@description('Storage redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Blob container for bot state (AZURE_STORAGE_BLOB_CONTAINER): 3-63 lowercase letters, digits and hyphens.')
@minLength(3)
@maxLength(63)
param blobContainerName string = 'botstate'

@description('Prefix of the bot\'s tables (AZURE_STORAGE_TABLE_PREFIX): a letter, then letters or digits.')
@minLength(1)
@maxLength(55)
param tablePrefix string = 'helpdesk'

@description('Hours of sign-in history the bot reads (SIGNIN_WINDOW_HOURS).')
@minValue(1)
@maxValue(720)
param signInWindowHours int = 48

@description('Comma-separated aadObjectIds of extra help desk agents (HELPDESK_AGENTS); members of the help desk team are agents anyway.')
param helpdeskAgents string = ''

@description('Log level of the bot (LOG_LEVEL).')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

@description('Tenants whose Teams activities the bot serves (ALLOWED_TENANT_IDS), comma-separated; empty means the bot\'s own tenant.')
param allowedTenantIds string = ''

@description('Object id of an Entra security group whose members are help desk agents (HELPDESK_AGENTS_GROUP_ID); empty for none. When set, step 3 of infra/README.md also grants GroupMember.Read.All.')
param helpdeskAgentsGroupId string = ''

@description('IANA time zone of the times on the cards shared in the help desk channel (HELPDESK_TIME_ZONE), e.g. Europe/Oslo; the same for every agent who views them.')
@minLength(1)
param helpdeskTimeZone string = 'UTC'

@description('Days closed tickets and their transcripts are kept before the bot purges them (RETENTION_DAYS).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 180

@description('Days Log Analytics and Application Insights keep data.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags applied to every resource.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id)
var compactPrefix = toLower(replace(namePrefix, '-', ''))

module identity './modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${namePrefix}-bot-${suffix}'
    location: location
    tags: tags
  }
}

module monitoring './modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${namePrefix}-${suffix}'
    appInsightsName: 'appi-${namePrefix}-${suffix}'
    location: location
    retentionInDays: logRetentionDays
    tags: tags
  }
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${take(compactPrefix, 9)}${suffix}', 24)
    location: location
    skuName: storageSku
    blobContainerName: blobContainerName
    tablePrefix: tablePrefix
    principalId: identity.outputs.principalId
    tags: tags
  }
}

module webApp './modules/webapp.bicep' = {
  name: 'webapp'
  params: {
    planName: 'asp-${namePrefix}-${suffix}'
    webAppName: webAppName
    location: location
    skuName: appServicePlanSku
    instanceCount: instanceCount
    linuxFxVersion: 'NODE|22-lts'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    tenantId: identity.outputs.tenantId
    storageAccountName: storage.outputs.name
    blobContainerName: storage.outputs.blobContainerName
    tablePrefix: storage.outputs.tablePrefix
    signInWindowHours: signInWindowHours
    helpdeskAgents: helpdeskAgents
    helpdeskAgentsGroupId: helpdeskAgentsGroupId
    helpdeskTimeZone: helpdeskTimeZone
    allowedTenantIds: allowedTenantIds
    retentionDays: retentionDays
    logLevel: logLevel
    appInsightsName: monitoring.outputs.appInsightsName
    workspaceId: monitoring.outputs.workspaceId
    tags: tags
  }
}

module bot './modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: botName
    displayName: botDisplayName
    sku: botSku
    botDomain: webApp.outputs.defaultHostName
    identityClientId: identity.outputs.clientId
    identityId: identity.outputs.id
    tenantId: identity.outputs.tenantId
    tags: tags
  }
}

// ---- Outputs: each named after the environment variable it fills. No secrets. ----

@description('The bot\'s Microsoft App ID (the managed identity\'s client id): BOT_ID for the web app and for npm run package.')
output BOT_ID string = identity.outputs.clientId

@description('Tenant of the bot and of Graph: BOT_TENANT_ID.')
output BOT_TENANT_ID string = identity.outputs.tenantId

@description('BOT_TYPE: the bot authenticates as a user-assigned managed identity.')
output BOT_TYPE string = 'UserAssignedMsi'

@description('Client id for @azure/identity ManagedIdentityCredential (Graph and Storage): AZURE_CLIENT_ID.')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('STORAGE_BACKEND: state in Azure Storage.')
output STORAGE_BACKEND string = 'azure'

@description('AZURE_STORAGE_ACCOUNT_NAME: the storage account (reached with the managed identity, no key).')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('AZURE_STORAGE_BLOB_CONTAINER: the bot state container.')
output AZURE_STORAGE_BLOB_CONTAINER string = storage.outputs.blobContainerName

@description('AZURE_STORAGE_TABLE_PREFIX: prefix of the tickets, outbox and settings tables.')
output AZURE_STORAGE_TABLE_PREFIX string = storage.outputs.tablePrefix

@description('BOT_DOMAIN: host name of the web app, for npm run package (validDomains) and the messaging endpoint.')
output BOT_DOMAIN string = webApp.outputs.defaultHostName

@description('GRAPH_ENABLED: Graph is read with the managed identity.')
output GRAPH_ENABLED string = 'true'

@description('Name of the web app, for az webapp deploy.')
output WEB_APP_NAME string = webApp.outputs.name

@description('Resource id of the web app, for the Microsoft 365 Agents Toolkit deploy step (m365agents.yml).')
output WEB_APP_RESOURCE_ID string = webApp.outputs.id

@description('Name of the Azure Bot resource.')
output BOT_SERVICE_NAME string = bot.outputs.name

@description('The bot\'s messaging endpoint, as registered in Azure Bot Service.')
output BOT_ENDPOINT string = bot.outputs.endpoint

@description('Object id of the managed identity\'s service principal: who receives the Graph permissions in step 3 (infra/grant-graph-permissions.sh or infra/graph-permissions).')
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId

@description('HELPDESK_AGENTS_GROUP_ID as deployed (empty for none): infra/grant-graph-permissions.sh adds GroupMember.Read.All when it is set.')
output HELPDESK_AGENTS_GROUP_ID string = helpdeskAgentsGroupId

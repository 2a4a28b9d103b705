// App Service plan (Linux) and the Node 22 LTS web app that runs the bot. The code arrives as the
// zip `npm run package:web` builds (compiled dist/, content/ and production dependencies only),
// mounted read-only (WEBSITE_RUN_FROM_PACKAGE=1) and started with `node <heap flags> dist/index.js`: nothing is
// built or installed on the server. Every setting the bot reads is wired here; none is a
// credential: the bot, Graph and Storage all authenticate as the user-assigned identity.

@description('Name of the App Service plan.')
param planName string

@description('Name of the web app; its default host name <name>.azurewebsites.net becomes BOT_DOMAIN.')
param webAppName string

@description('Azure region for the plan and the web app.')
param location string

@description('App Service plan SKU. Basic or higher: Always On is not available on Free or Shared plans.')
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
param skuName string = 'B1'

@description('Number of instances of the plan. More than one needs STORAGE_BACKEND=azure, which this template sets.')
@minValue(1)
@maxValue(10)
param instanceCount int = 1

@description('Linux runtime stack of the web app: Node 22 LTS (package:web builds for it).')
param linuxFxVersion string = 'NODE|22-lts'

@description('Resource id of the user-assigned managed identity the web app runs as.')
param identityId string

@description('Client id of that identity: BOT_ID and AZURE_CLIENT_ID.')
param identityClientId string

@description('Tenant id of the bot (BOT_TENANT_ID); Graph reads this tenant too.')
param tenantId string

@description('Storage account the bot keeps its state in (AZURE_STORAGE_ACCOUNT_NAME).')
param storageAccountName string

@description('Blob container for bot state (AZURE_STORAGE_BLOB_CONTAINER).')
param blobContainerName string

@description('Prefix of the bot\'s tables (AZURE_STORAGE_TABLE_PREFIX).')
param tablePrefix string

@description('Hours of sign-in history the bot reads (SIGNIN_WINDOW_HOURS).')
@minValue(1)
@maxValue(720)
param signInWindowHours int = 48

@description('Comma-separated aadObjectIds of extra help desk agents (HELPDESK_AGENTS); empty for none.')
param helpdeskAgents string = ''

@description('Object id of the Entra group whose members are help desk agents (HELPDESK_AGENTS_GROUP_ID); empty for none.')
param helpdeskAgentsGroupId string = ''

@description('Tenants the bot serves (ALLOWED_TENANT_IDS), comma-separated; empty means the bot\'s own tenant (tenantId).')
param allowedTenantIds string = ''

@description('IANA time zone of the times on the help desk channel\'s shared cards (HELPDESK_TIME_ZONE); the bot refuses to start with an unknown zone.')
@minLength(1)
param helpdeskTimeZone string = 'UTC'

@description('Days closed tickets and their transcripts are kept (RETENTION_DAYS).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 180

@description('pino log level of the bot (LOG_LEVEL).')
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

@description('Name of the Application Insights component whose connection string goes into APPLICATIONINSIGHTS_CONNECTION_STRING.')
param appInsightsName string

@description('Resource id of the Log Analytics workspace that receives the web app\'s console and HTTP logs.')
param workspaceId string

@description('Tags applied to the plan and the web app.')
param tags object = {}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

var appSettings = [
  // The bot's own identity (botbuilder's ManagedIdentityServiceClientCredentialsFactory).
  { name: 'BOT_ID', value: identityClientId }
  { name: 'BOT_TENANT_ID', value: tenantId }
  { name: 'BOT_TYPE', value: 'UserAssignedMsi' }
  // @azure/identity ManagedIdentityCredential for Graph and Storage.
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'GRAPH_ENABLED', value: 'true' }
  // Shared state so that more than one instance can run.
  { name: 'STORAGE_BACKEND', value: 'azure' }
  { name: 'AZURE_STORAGE_ACCOUNT_NAME', value: storageAccountName }
  { name: 'AZURE_STORAGE_BLOB_CONTAINER', value: blobContainerName }
  { name: 'AZURE_STORAGE_TABLE_PREFIX', value: tablePrefix }
  { name: 'SIGNIN_WINDOW_HOURS', value: string(signInWindowHours) }
  { name: 'HELPDESK_AGENTS', value: helpdeskAgents }
  { name: 'HELPDESK_AGENTS_GROUP_ID', value: helpdeskAgentsGroupId }
  { name: 'HELPDESK_TIME_ZONE', value: helpdeskTimeZone }
  // Activities from any other tenant are refused.
  { name: 'ALLOWED_TENANT_IDS', value: empty(allowedTenantIds) ? tenantId : allowedTenantIds }
  { name: 'RETENTION_DAYS', value: string(retentionDays) }
  { name: 'LOG_LEVEL', value: logLevel }
  { name: 'NODE_ENV', value: 'production' }
  // Node 22.1+ keeps the compiled code of the ~1,700 modules start-up loads and reuses it at the
  // next start of the process (measured on Node 22: ready 2.07 s → 1.77 s, median of five). The
  // folder is the instance's local /tmp: lost when the instance is recycled, rebuilt at its first start.
  { name: 'NODE_COMPILE_CACHE', value: '/tmp/helpdesk-bot-compile-cache' }
  // Run the deployed zip as it is, read-only: no build and no npm install on the server.
  { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
  // Only used with STORAGE_BACKEND=sqlite (ALLOW_SQLITE_IN_PRODUCTION): outside the read-only
  // package, on the app's persistent /home share.
  { name: 'DATA_DIR', value: '/home/helpdesk-bot/data' }
  // Telemetry. The connection string only lets a client send telemetry; it reads no data.
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
  { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }
]

resource webApp 'Microsoft.Web/sites@2025-03-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      // As package.json's "start": V8's old generation capped at 512 MB (without a cap V8 lets it grow to
      // about 4× the live heap before collecting) and a 16 MB young generation semi-space (fewer scavenges under load) (docs/capacity.md §2, memory).
      appCommandLine: 'node --max-old-space-size=512 --max-semi-space-size=16 dist/index.js'
      alwaysOn: true
      healthCheckPath: '/readyz'
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: appSettings
    }
  }
}

// No publishing with basic (user name and password) credentials, neither over FTP nor to the
// SCM (Kudu) site: `az webapp deploy` and the Agents Toolkit sign in with Microsoft Entra ID.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: webApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// 2021-05-01-preview is the newest version of diagnostic settings; the rule's only alternative,
// 2016-09-01, is older still (a note, not a failure: see ../bicepconfig.json).
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: webApp
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the web app (for the Agents Toolkit deploy step).')
output id string = webApp.id

@description('Name of the web app (for az webapp deploy).')
output name string = webApp.name

@description('Default host name of the web app: BOT_DOMAIN, and the host of the messaging endpoint.')
output defaultHostName string = webApp.properties.defaultHostName

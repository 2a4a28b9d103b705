// The Azure Bot resource: registers the bot's Microsoft App ID (the user-assigned managed
// identity, msaAppType UserAssignedMSI, no password), its messaging endpoint, and the
// Microsoft Teams channel.

@description('Name (handle) of the Azure Bot resource; unique across Azure Bot Service.')
@minLength(2)
@maxLength(64)
param name string

@description('Display name of the bot.')
param displayName string

@description('Pricing tier of the Azure Bot. Microsoft Teams is a standard channel, free on both tiers.')
@allowed([
  'F0'
  'S1'
])
param sku string = 'F0'

@description('Host name where the bot runs; the messaging endpoint is https://<host>/api/messages.')
param botDomain string

@description('Client id of the user-assigned managed identity: the bot\'s Microsoft App ID.')
param identityClientId string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Tenant id of the managed identity.')
param tenantId string

@description('Tags applied to the bot.')
param tags object = {}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: 'https://${botDomain}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityId
    msaAppTenantId: tenantId
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      enableCalling: false
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

@description('Name of the Azure Bot resource.')
output name string = bot.name

@description('The messaging endpoint registered for the bot.')
output endpoint string = bot.properties.endpoint

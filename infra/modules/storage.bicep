// Storage for the bot: bot state in a blob container, tickets / outbox / settings in tables.
// Shared-key access is off: the bot's managed identity reaches data through the two RBAC
// roles assigned below, and no account key or connection string exists for the app to hold.

@description('Name of the storage account (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region for the storage account.')
param location string

@description('Storage redundancy SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
  'Standard_GZRS'
])
param skuName string = 'Standard_LRS'

@description('Blob container for bot state (AZURE_STORAGE_BLOB_CONTAINER).')
@minLength(3)
@maxLength(63)
param blobContainerName string

@description('Prefix of the tables the bot uses: <prefix>Tickets, <prefix>Outbox, <prefix>Settings (AZURE_STORAGE_TABLE_PREFIX).')
@minLength(1)
@maxLength(55)
param tablePrefix string

@description('Object (principal) id of the managed identity that gets Storage Blob Data Contributor and Storage Table Data Contributor on this account.')
param principalId string

@description('Tags applied to the storage account.')
param tags object = {}

// Built-in role definition ids (the same in every tenant).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

// The tables the bot opens (src/store/azure-stores.ts); it also creates them if missing.
var tableNames = [
  '${tablePrefix}Tickets'
  '${tablePrefix}Outbox'
  '${tablePrefix}Settings'
]

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        table: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: blobContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource blobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Help desk bot: bot state in the ${blobContainerName} container'
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Help desk bot: tickets, outbox and settings tables'
  }
}

@description('Name of the storage account (AZURE_STORAGE_ACCOUNT_NAME).')
output name string = storage.name

@description('Name of the blob container (AZURE_STORAGE_BLOB_CONTAINER).')
output blobContainerName string = blobContainerName

@description('Table prefix (AZURE_STORAGE_TABLE_PREFIX).')
output tablePrefix string = tablePrefix

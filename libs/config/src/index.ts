export * from './app-config.js';
export * from './community-configs.js';
export * from './config.module.js';
export * from './bootstrap.js';
export * from './net.js';

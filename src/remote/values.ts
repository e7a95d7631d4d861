// The rules live in the domain layer: the inventory checks node settings against them too.
export * from '../domain/values.js';

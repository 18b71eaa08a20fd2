// Public barrel of the Vigil streams engine.
export {};

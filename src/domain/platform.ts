/** The desktop an employee's fix steps are written for. */
export type Platform = 'windows' | 'mac';

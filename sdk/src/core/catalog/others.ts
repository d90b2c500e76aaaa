/** AWS Neuron, AMD and Habana accelerators: one row per device. */
export interface NeuronDevice {
    readonly name: string;
    /** Karpenter `karpenter.k8s.aws/instance-accelerator-name`. */
    readonly karpenter: string;
    /** Karpenter `karpenter.k8s.aws/instance-family`. */
    readonly instanceFamily: string;
    /** Device counts instances of the family offer (accepted quantities). */
    readonly quantities: readonly number[];
    /** NeuronCores per device, for profiles that request `aws.amazon.com/neuroncore`. */
    readonly coresPerDevice: number;
}

const UP_TO = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// prettier-ignore
const NEURON_DEVICES_ROWS = [
    { name: "Inf1", karpenter: "inferentia", instanceFamily: "inf1", quantities: UP_TO(16), coresPerDevice: 4 },
    { name: "Inf2", karpenter: "inferentia2", instanceFamily: "inf2", quantities: UP_TO(12), coresPerDevice: 2 },
    { name: "Trn1", karpenter: "trainium", instanceFamily: "trn1", quantities: [1, 4, 8, 16], coresPerDevice: 2 },
    { name: "Trn1n", karpenter: "trainium", instanceFamily: "trn1n", quantities: [1, 4, 8, 16], coresPerDevice: 2 },
    { name: "Trn2", karpenter: "trainium2", instanceFamily: "trn2", quantities: [1, 4, 8, 16], coresPerDevice: 8 },
    { name: "Trn2u", karpenter: "trainium2", instanceFamily: "trn2u", quantities: [1, 4, 8, 16], coresPerDevice: 8 },
] as const satisfies readonly NeuronDevice[];

export const NEURON_DEVICES: readonly (Omit<NeuronDevice, "name"> & { readonly name: NeuronName })[] =
    NEURON_DEVICES_ROWS;
/** A device name of the catalogue (a literal union). */
export type NeuronName = (typeof NEURON_DEVICES_ROWS)[number]["name"];

export interface AmdGpu {
    readonly name: string;
    /** AKS VM sizes with this GPU. */
    readonly aksVmSizes: readonly string[];
    /** AMD GPU labeller `amd.com/gpu.product-name` (?). */
    readonly productName: string;
}

// prettier-ignore
const AMD_GPUS_ROWS = [
    { name: "MI100", aksVmSizes: [], productName: "Instinct-MI100" },
    { name: "MI210", aksVmSizes: [], productName: "Instinct-MI210" },
    { name: "MI250", aksVmSizes: [], productName: "Instinct-MI250" },
    { name: "MI250X", aksVmSizes: [], productName: "Instinct-MI250X" },
    { name: "MI300A", aksVmSizes: [], productName: "Instinct-MI300A" },
    { name: "MI300X", aksVmSizes: ["Standard_ND96isr_MI300X_v5"], productName: "Instinct-MI300X" },
    { name: "MI325X", aksVmSizes: [], productName: "Instinct-MI325X" },
    { name: "MI350X", aksVmSizes: [], productName: "Instinct-MI350X" },
    { name: "MI355X", aksVmSizes: [], productName: "Instinct-MI355X" },
] as const satisfies readonly AmdGpu[];

export const AMD_GPUS: readonly (Omit<AmdGpu, "name"> & { readonly name: AmdName })[] = AMD_GPUS_ROWS;
/** A device name of the catalogue (a literal union). */
export type AmdName = (typeof AMD_GPUS_ROWS)[number]["name"];

export interface GaudiDevice {
    readonly name: string;
    /** EC2 instance types with this accelerator. */
    readonly ec2InstanceTypes: readonly string[];
}

// prettier-ignore
const GAUDI_DEVICES_ROWS = [
    { name: "Gaudi1", ec2InstanceTypes: ["dl1.24xlarge"] },
] as const satisfies readonly GaudiDevice[];

export const GAUDI_DEVICES: readonly (Omit<GaudiDevice, "name"> & { readonly name: GaudiName })[] = GAUDI_DEVICES_ROWS;
/** A device name of the catalogue (a literal union). */
export type GaudiName = (typeof GAUDI_DEVICES_ROWS)[number]["name"];
